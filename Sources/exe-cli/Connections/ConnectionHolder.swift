import ExeSSH
import ExeSystem
import Foundation
import Synchronization

/// The background process behind `exe-cli connections serve`: it keeps SSH
/// connections open and runs other `exe-cli` processes' commands on them.
///
/// It listens on ``HolderLocation/socketPath`` in a private directory,
/// serves only peers with its own uid (checked with `SO_PEERCRED` on every
/// accept), keeps one connection pool per ``HolderKey``, and exits when no
/// command has run for `idleTimeout`, when asked to stop, or when its
/// socket was taken over. Each client gets two threads (socket reads and
/// socket writes) so a slow client holds back only its own channel.
final class ConnectionHolder: @unchecked Sendable {
    private struct Held {
        var pool: SSHConnectionPool
        var warnings: WarningRelay
        var commandsRun = 0
    }

    let location: HolderLocation
    let idleTimeout: Duration
    private let state = Mutex<(held: [HolderKey: Held], active: Int, lastActivity: ContinuousClock.Instant)>(([:], 0, .now))
    private let uid = getuid()
    private var listener: Int32 = -1
    private var socketInode: ino_t = 0

    init(location: HolderLocation, idleTimeout: Duration) {
        self.location = location
        self.idleTimeout = idleTimeout
    }

    /// Takes the holder lock, binds the socket and serves until idle or
    /// stopped. Returns (without serving) when another holder has the lock.
    func serve() async throws {
        try location.preparePrivateDirectory()
        let lock: FileLock
        do {
            lock = try FileLock.acquire(path: location.lockPath, timeout: .zero)
        } catch {
            return  // another holder serves this directory
        }
        unlink(location.socketPath)
        listener = try UnixSocket.listen(at: location.socketPath)
        var status = stat()
        if stat(location.socketPath, &status) == 0 { socketInode = status.st_ino }
        let acceptor = Thread { [self] in acceptLoop() }
        acceptor.start()
        while true {
            try? await Task.sleep(for: .milliseconds(250))
            if shouldExit() { break }
        }
        await shutdown()
        withExtendedLifetime(lock) {}
    }

    private func shouldExit() -> Bool {
        var status = stat()
        if stat(location.socketPath, &status) != 0 || status.st_ino != socketInode { return true }
        return state.withLock { $0.active == 0 && ContinuousClock.now - $0.lastActivity >= idleTimeout }
    }

    private func shutdown() async {
        var status = stat()
        if stat(location.socketPath, &status) == 0, status.st_ino == socketInode { unlink(location.socketPath) }
        let pools = state.withLock { state in state.held.values.map(\.pool) }
        for pool in pools { await pool.closeAll() }
    }

    private func acceptLoop() {
        while true {
            guard let fd = try? UnixSocket.accept(listener) else { return }
            guard UnixSocket.peerUID(fd) == uid else {
                close(fd)
                continue
            }
            let thread = Thread { [self] in serveClient(fd) }
            thread.start()
        }
    }

    // MARK: One client

    private func serveClient(_ fd: Int32) {
        let descriptor = SharedDescriptor(fd, users: 1)
        defer { descriptor.release() }
        let writer = HolderFrameWriter(fd: fd)
        guard let first = try? HolderFrame.read(from: fd) else { return }
        switch first.kind {
        case .list:
            try? writer.write(HolderFrame(.listing, json: listing()))
        case .stop:
            try? writer.write(HolderFrame(.stopped))
            unlink(location.socketPath)  // the serve loop sees it and ends
        case .open:
            guard let request = try? first.decode(HolderOpenRequest.self) else { return }
            run(request, descriptor: descriptor, writer: writer)
        default:
            return
        }
    }

    private func run(_ request: HolderOpenRequest, descriptor: SharedDescriptor, writer: HolderFrameWriter) {
        begin()
        defer { end() }
        let input = ThreadToAsyncQueue<Data>(capacity: 16)
        let awaiter = ThreadAwaiter()
        let shell = ShellSlot()
        let fd = descriptor.fd

        // Writes output frames on this thread; reads client frames on another.
        descriptor.retain()
        let reader = Thread {
            defer { descriptor.release() }
            while true {
                guard let frame = try? HolderFrame.read(from: fd) else {
                    // The client went away (killed, Ctrl-C): close the channel.
                    input.abandon()
                    awaiter.cancel()
                    return
                }
                switch frame.kind {
                case .stdin: input.put(frame.payload)
                case .stdinEnd: input.finish()
                case .resize:
                    if let size = try? frame.decode(HolderWindowSize.self) {
                        shell.current?.resize(width: size.width, height: size.height)
                    }
                default: break
                }
            }
        }
        reader.start()

        // A held connection that died unnoticed fails a command before it
        // starts; such a command runs once more on a fresh connection,
        // unless it has input: the first try may have read some of it
        // already (and ended the queue), and a second would run with less.
        for attempt in 1...2 {
            let opened = awaiter.await { [self] in try await connection(for: request.key, writer: writer) }
            guard case .success(let connection) = opened else {
                if case .failure(let error) = opened { send(error, writer: writer) }
                break
            }
            switch relay(request, on: connection, input: input, shell: shell, awaiter: awaiter, writer: writer) {
            case .finished: break
            case .notStarted(let error):
                if attempt == 1 && !request.hasInput { continue }
                send(error, writer: writer)
            }
            break
        }
        // A command that ended without reading all its input leaves the
        // reader blocked on a full queue: free it.
        input.abandon()
        descriptor.shutdownBoth()
    }

    private enum RelayOutcome {
        case finished
        case notStarted(SSHError)
    }

    private func relay(
        _ request: HolderOpenRequest, on connection: SSHConnection, input: ThreadToAsyncQueue<Data>, shell: ShellSlot,
        awaiter: ThreadAwaiter, writer: HolderFrameWriter
    ) -> RelayOutcome {
        let stdin: CommandInput = request.hasInput ? .sequence(input.stream) : .none
        let events: AsyncThrowingStream<CommandOutputEvent, any Error>
        if let terminal = request.terminal {
            let started = connection.shell(terminal: terminal, input: stdin, command: request.kind == .shell ? nil : request.command)
            shell.current = started
            events = started.output
        } else {
            events = connection.stream(request.command, stdin: stdin, timeout: request.timeout)
        }
        let iterator = EventIterator(events)
        var forwarded = false
        while true {
            switch awaiter.await({ try await iterator.next() }) {
            case .success(.some(.stdout(let data))):
                forwarded = true
                guard (try? writer.write(.stdout, chunked: data)) != nil else {
                    cancel(awaiter, input)
                    return .finished
                }
            case .success(.some(.stderr(let data))):
                forwarded = true
                guard (try? writer.write(.stderr, chunked: data)) != nil else {
                    cancel(awaiter, input)
                    return .finished
                }
            case .success(.some(.exit(let status))):
                try? writer.write(HolderFrame(.exit, json: HolderExit(status)))
                return .finished
            case .success(.none):
                try? writer.write(HolderFrame(.exit, json: HolderExit(.closedWithoutStatus)))
                return .finished
            case .failure(let error):
                if let error = error as? SSHError, error.kind == .disconnected, error.commandNeverStarted, !forwarded {
                    return .notStarted(error)
                }
                send(error, writer: writer)
                return .finished
            }
        }
    }

    private func cancel(_ awaiter: ThreadAwaiter, _ input: ThreadToAsyncQueue<Data>) {
        input.abandon()
        awaiter.cancel()
    }

    private func send(_ error: any Error, writer: HolderFrameWriter) {
        let failure = (error as? SSHError) ?? SSHError(.cancelled, "the command was cancelled")
        try? writer.write(HolderFrame(.failure, json: HolderFailure(failure)))
    }

    /// A live held connection for `key`, opened if needed; warnings raised
    /// while opening it go to this client.
    private func connection(for key: HolderKey, writer: HolderFrameWriter) async throws -> SSHConnection {
        let (pool, warnings) = state.withLock { state -> (SSHConnectionPool, WarningRelay) in
            if let held = state.held[key] {
                state.held[key]?.commandsRun += 1
                return (held.pool, held.warnings)
            }
            let warnings = WarningRelay()
            let pool = SSHConnectionPool(
                configuration: key.configuration(warnings: { warnings.deliver($0) }), maxConnectionsPerDestination: 2)
            state.held[key] = Held(pool: pool, warnings: warnings, commandsRun: 1)
            return (pool, warnings)
        }
        warnings.attach { text in try? writer.write(HolderFrame(.warning, Data(text.utf8))) }
        defer { warnings.detach() }
        return try await pool.connection(to: key.destination)
    }

    private func begin() {
        state.withLock {
            $0.active += 1
            $0.lastActivity = .now
        }
    }

    private func end() {
        state.withLock {
            $0.active -= 1
            $0.lastActivity = .now
        }
    }

    private func listing() -> HolderListing {
        let held = state.withLock { $0.held }
        var connections: [HolderListing.Connection] = []
        for (key, entry) in held.sorted(by: { $0.key.destination.description < $1.key.destination.description }) {
            let pool = entry.pool
            let (alive, opened) = ThreadAwaiter().await { await (pool.liveConnectionCount, pool.connectionsOpened) }.get(or: (0, 0))
            connections.append(.init(
                destination: key.destination.description, identityFiles: key.identityFiles, hostKeyPolicy: key.hostKeyPolicy,
                alive: alive > 0, commandsRun: entry.commandsRun, connectionsOpened: opened))
        }
        return HolderListing(
            pid: getpid(), socket: location.socketPath, idleTimeoutSeconds: Int(idleTimeout.components.seconds), connections: connections)
    }
}

/// Sends a pool's connection warnings (host key recorded, key skipped) to
/// the client whose command is opening the connection.
final class WarningRelay: Sendable {
    private let target = Mutex<(@Sendable (String) -> Void)?>(nil)
    func attach(_ handler: @escaping @Sendable (String) -> Void) { target.withLock { $0 = handler } }
    func detach() { target.withLock { $0 = nil } }
    func deliver(_ text: String) { target.withLock { $0 }?(text) }
}

/// An async iterator that one thread at a time pulls from through a ``ThreadAwaiter``.
final class EventIterator: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<CommandOutputEvent, any Error>.AsyncIterator
    init(_ stream: AsyncThrowingStream<CommandOutputEvent, any Error>) { iterator = stream.makeAsyncIterator() }
    func next() async throws -> CommandOutputEvent? { try await iterator.next() }
}

extension Result {
    func get(or fallback: Success) -> Success {
        if case .success(let value) = self { return value }
        return fallback
    }
}

/// The interactive shell of a relayed command, once started (for resizes).
final class ShellSlot: Sendable {
    private let shell = Mutex<InteractiveShell?>(nil)
    var current: InteractiveShell? {
        get { shell.withLock { $0 } }
        set { shell.withLock { $0 = newValue } }
    }
}
