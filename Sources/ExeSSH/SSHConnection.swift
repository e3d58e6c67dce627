import Foundation
import Synchronization

/// One authenticated SSH connection on which many commands and file
/// transfers run at the same time, each on its own channel.
///
/// A connection owns one TCP socket and one libssh2 session, driven by a
/// dedicated thread (see the design notes in `Docs/ExeSSH.md`). Every method
/// is safe to call from any task, concurrently:
///
/// ```swift
/// let connection = try await SSHConnection.connect(
///     to: SSHDestination(host: "my-vm.exe.xyz", user: "exedev"),
///     configuration: .init())
/// async let a = connection.run("uname -a")
/// async let b = connection.run("df -h /")
/// print(try await a.stdout, try await b.stdout)
/// ```
///
/// A non-zero exit is a ``CommandResult``, not an error, unless `check` is
/// set. When the connection dies, every pending operation fails with
/// ``SSHError/Kind/disconnected``; an ``SSHConnectionPool`` reconnects on the
/// next use.
public final class SSHConnection: Sendable {
    /// Where this connection goes.
    public let destination: SSHDestination
    let loop: SessionLoop
    /// Where commands run instead of ``loop`` (never started) when relayed.
    let relay: (any SSHChannelRelay)?

    private init(destination: SSHDestination, loop: SessionLoop, relay: (any SSHChannelRelay)? = nil) {
        self.destination = destination
        self.loop = loop
        self.relay = relay
    }

    deinit { if relay == nil { loop.shutdown() } }

    /// A connection whose commands run on a channel that `relay` opens on a
    /// connection held elsewhere (see ``SSHChannelRelay``). Nothing is
    /// connected here; failures to reach the held connection surface on
    /// the first command, as ``SSHError`` like a direct connection's.
    public static func relayed(to destination: SSHDestination, through relay: any SSHChannelRelay) -> SSHConnection {
        SSHConnection(destination: destination, loop: SessionLoop(destination: destination, configuration: .init()), relay: relay)
    }

    /// Connects, verifies the host key and authenticates.
    ///
    /// - Throws: ``SSHError`` with kind `nameResolution`, `connectionRefused`,
    ///   `timeout`, `hostKeyMismatch`, `hostKeyUnknown`,
    ///   `authenticationFailed` or `protocol`.
    public static func connect(to destination: SSHDestination, configuration: SSHClientConfiguration) async throws -> SSHConnection {
        guard (1...65535).contains(destination.port) else {
            throw SSHError(.invalidConfiguration, "port \(destination.port) is out of range (1-65535)")
        }
        let loop = SessionLoop(destination: destination, configuration: configuration)
        try await loop.start()
        return SSHConnection(destination: destination, loop: loop)
    }

    /// Whether the connection is still usable.
    public var isAlive: Bool { relay != nil || loop.isAlive }

    /// Operations queued or running on this connection.
    var load: Int { loop.load }

    /// The CPU time the connection's thread used, once the connection has
    /// ended (`nil` while it runs, and for a relayed connection).
    package var threadCPUTime: Duration? { relay == nil ? loop.threadCPUTime : nil }

    /// Closes the connection and waits until its thread has released the
    /// session (so a process may exit safely afterwards). Pending operations
    /// fail with `cancelled`. A packet that is half-sent is finished first;
    /// if the server has stopped reading it, the connection is dropped after
    /// about a second and pending operations fail with `disconnected`.
    /// Dropping the last reference closes it too, but without waiting.
    public func close() async {
        if let relay {
            await relay.close()
            return
        }
        loop.shutdown()
        await loop.waitUntilTerminated()
    }

    // MARK: Commands

    /// Runs `command` (interpreted by the remote user's shell) and collects
    /// its output.
    ///
    /// - Parameters:
    ///   - command: the command line, run by the remote user's shell.
    ///   - stdin: what the command reads; EOF follows it.
    ///   - timeout: how long the command may take; on expiry
    ///     ``SSHError/Kind/timeout`` is thrown and the channel is closed. If
    ///     the server has stopped reading while a packet is half-sent (so no
    ///     close can be sent), the whole connection is failed instead: other
    ///     pending operations get ``SSHError/Kind/disconnected``.
    ///   - check: throw ``SSHError/Kind/commandFailed`` (carrying the output)
    ///     unless the command exits with status 0.
    @discardableResult
    public func run(_ command: String, stdin: CommandInput = .none, timeout: Duration? = nil, check: Bool = false) async throws -> CommandResult {
        if relay != nil {
            var result = CommandResult(status: .closedWithoutStatus, standardOutput: Data(), standardError: Data())
            for try await event in stream(command, stdin: stdin, timeout: timeout) {
                switch event {
                case .stdout(let data): result.standardOutput.append(data)
                case .stderr(let data): result.standardError.append(data)
                case .exit(let status): result.status = status
                }
            }
            return try checked(result, command: command, check: check)
        }
        let gate = CompletionGate<CommandResult>()
        let pump = InputPump(stdin, wake: { [loop] in loop.wake() })
        let sink = CollectingSink { result in gate.complete(result) }
        let operation = ExecOperation(command: command, input: pump, sink: sink, timeout: timeout)
        let result = try await withTaskCancellationHandler {
            try await gate.wait {
                if !loop.submit(operation) {
                    var error = loop.failure ?? SSHError(.disconnected, "the connection to \(destination) is closed")
                    error.commandNeverStarted = true
                    gate.complete(.failure(error))
                }
            }
        } onCancel: {
            loop.abandon(operation, with: SSHError(.cancelled, "the command was cancelled"))
        }
        return try checked(result, command: command, check: check)
    }

    private func checked(_ result: CommandResult, command: String, check: Bool) throws -> CommandResult {
        if check, !result.succeeded {
            let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SSHError(.commandFailed, "`\(command)` on \(destination.host) ended with \(result.status)" + (detail.isEmpty ? "" : ": \(detail.suffix(2000))"), result: result)
        }
        return result
    }

    /// Runs `command` and streams its output as it arrives: stdout and
    /// stderr chunks in arrival order, then the exit status.
    ///
    /// Memory stays bounded however much the command writes: when the
    /// consumer falls behind, reading pauses and the server is held back by
    /// the SSH window. Stopping the iteration (or cancelling its task)
    /// closes the channel.
    public func stream(_ command: String, stdin: CommandInput = .none, timeout: Duration? = nil) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        if let relay {
            let request = RelayedChannelRequest(command: command, kind: .exec, terminal: nil, timeout: timeout, hasInput: stdin.hasContent)
            return relay.open(request, input: CommandInputReader(stdin)).events
        }
        let loop = self.loop
        let sink = StreamingSink(wake: { loop.wake() })
        let pump = InputPump(stdin, wake: { loop.wake() })
        let operation = ExecOperation(command: command, input: pump, sink: sink, timeout: timeout)
        return streaming(operation, sink: sink)
    }

    /// Submits `operation` to the connection's loop and streams what its
    /// `sink` receives; ending the iteration (or cancelling its task)
    /// cancels the operation, which closes its channel.
    func streaming(_ operation: ExecOperation, sink: StreamingSink) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        let loop = self.loop
        let handle = StreamHandle(loop: loop, operation: operation, sink: sink)
        if !loop.submit(operation) {
            sink.fail(loop.failure ?? SSHError(.disconnected, "the connection to \(destination) is closed"))
        }
        return AsyncThrowingStream(unfolding: {
            try await withTaskCancellationHandler {
                try await handle.next()
            } onCancel: {
                handle.cancel()
            }
        })
    }

    /// Opens an interactive session with a pseudo-terminal: the user's login
    /// shell, or `command` when given (for example `cd /work && exec bash -l`).
    /// Write keystrokes through `input`; read the screen from the returned stream.
    public func shell(terminal: PseudoTerminal, input: CommandInput, command: String? = nil) -> InteractiveShell {
        if let relay {
            let request = RelayedChannelRequest(
                command: command ?? "", kind: command == nil ? .shell : .exec, terminal: terminal, timeout: nil, hasInput: input.hasContent)
            return InteractiveShell(relayed: relay.open(request, input: CommandInputReader(input)))
        }
        let loop = self.loop
        let sink = StreamingSink(wake: { loop.wake() })
        let pump = InputPump(input, wake: { loop.wake() })
        let operation = ExecOperation(command: command ?? "", kind: command == nil ? .shell : .exec, terminal: terminal, input: pump, sink: sink, timeout: nil)
        let handle = StreamHandle(loop: loop, operation: operation, sink: sink)
        if !loop.submit(operation) {
            sink.fail(loop.failure ?? SSHError(.disconnected, "the connection to \(destination) is closed"))
        }
        return InteractiveShell(handle: handle, operation: operation, loop: loop)
    }
}

/// An interactive shell session: its output and a way to resize it.
public struct InteractiveShell: Sendable {
    let handle: StreamHandle?
    let operation: ExecOperation?
    let loop: SessionLoop?
    let relayed: RelayedChannel?

    init(handle: StreamHandle, operation: ExecOperation, loop: SessionLoop) {
        self.handle = handle
        self.operation = operation
        self.loop = loop
        relayed = nil
    }

    init(relayed: RelayedChannel) {
        handle = nil
        operation = nil
        loop = nil
        self.relayed = relayed
    }

    /// The terminal output, then the exit status.
    public var output: AsyncThrowingStream<CommandOutputEvent, any Error> {
        if let relayed { return relayed.events }
        let handle = self.handle!
        return AsyncThrowingStream(unfolding: {
            try await withTaskCancellationHandler { try await handle.next() } onCancel: { handle.cancel() }
        })
    }

    /// Tells the remote side the terminal's new size.
    public func resize(width: Int, height: Int) {
        if let relayed { return relayed.resize(width, height) }
        operation?.resize(width: width, height: height)
        loop?.wake()
    }
}

/// Keeps a streamed operation alive while its stream is; abandons it when
/// the consumer goes away.
final class StreamHandle: @unchecked Sendable {
    private let loop: SessionLoop
    private let operation: ExecOperation
    private let sink: StreamingSink

    init(loop: SessionLoop, operation: ExecOperation, sink: StreamingSink) {
        self.loop = loop
        self.operation = operation
        self.sink = sink
    }

    deinit { loop.abandon(operation, with: SSHError(.cancelled, "the output stream was dropped")) }

    func next() async throws -> CommandOutputEvent? { try await sink.next() }

    func cancel() {
        let error = SSHError(.cancelled, "the command was cancelled")
        sink.cancelWaiter(error)
        loop.abandon(operation, with: error)
    }
}

/// A one-shot bridge from the loop thread's completion to an awaiting task.
final class CompletionGate<Value: Sendable>: @unchecked Sendable {
    private struct State {
        var result: Result<Value, SSHError>?
        var waiter: CheckedContinuation<Value, any Error>?
    }

    private let state = Mutex(State())

    func complete(_ result: Result<Value, SSHError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    func wait(start: () -> Void) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Value, SSHError>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready {
                continuation.resume(with: ready.mapError { $0 as any Error })
            } else {
                start()
            }
        }
    }
}
