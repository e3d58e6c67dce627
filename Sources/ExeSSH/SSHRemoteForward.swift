import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A remote port forward (`ssh -R`): the server listens on its own
/// `127.0.0.1:PORT` (`tcpip-forward`), and every connection made there
/// arrives as a `forwarded-tcpip` channel that is relayed to a port on this
/// machine's loopback.
///
/// ```swift
/// let connection = try await SSHConnection.connect(to: vm, configuration: ssh)
/// let forward = try await SSHRemoteForward.open(connection: connection, localPort: relay.port)
/// try await connection.run("curl -s http://127.0.0.1:\(forward.remotePort)/", check: true)
/// await forward.close()
/// await connection.close()   // the server stops listening
/// ```
///
/// The server keeps listening until the connection closes (libssh2 1.10
/// cannot cancel a listener safely), so give the forward a connection of its
/// own and close it after ``close()``. Blocking socket calls run on
/// dispatch queues, never on Swift's cooperative pool. Not available on a
/// relayed connection.
public final class SSHRemoteForward: Sendable {
    /// The address the server listens on.
    public let remoteHost: String
    /// The port the server listens on (the one it picked when asked for `0`).
    public let remotePort: Int
    /// The local port connections are relayed to (on `127.0.0.1`).
    public let localPort: Int
    private let connection: SSHConnection
    private let operation: RemoteForwardOperation
    private let relays: RemoteForwardRelays

    private init(
        connection: SSHConnection, operation: RemoteForwardOperation, relays: RemoteForwardRelays, remoteHost: String, remotePort: Int,
        localPort: Int
    ) {
        self.connection = connection
        self.operation = operation
        self.relays = relays
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.localPort = localPort
    }

    /// Asks the server to listen on `remoteHost:remotePort` and relays each
    /// connection made there to `127.0.0.1:localPort` here.
    ///
    /// - Parameters:
    ///   - connection: a direct (not relayed) connection; the forward is
    ///     meant to own it (see the type's discussion).
    ///   - remoteHost: where the server listens; `127.0.0.1` keeps the port
    ///     to the server itself.
    ///   - remotePort: the port there; `0` lets the server pick (see ``remotePort``).
    ///   - localPort: the loopback port here that connections go to.
    ///   - timeout: how long the server may take to answer the request.
    ///   - problems: told about connections that could not be relayed, one line each.
    /// - Throws: ``SSHError`` when the server refuses (forwarding disabled,
    ///   port taken) or the connection fails.
    public static func open(
        connection: SSHConnection, remoteHost: String = "127.0.0.1", remotePort: Int = 0, localPort: Int,
        timeout: Duration = .seconds(30), problems: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> SSHRemoteForward {
        guard (0...65535).contains(remotePort), (1...65535).contains(localPort) else {
            throw SSHError(.invalidConfiguration, "ports are 1 to 65535 (remote 0 lets the server pick one)")
        }
        guard connection.relay == nil else {
            throw SSHError(.channelFailure, "a remote port forward needs a direct connection to \(connection.destination.host), not a relayed one")
        }
        let relays = RemoteForwardRelays(connection: connection, localPort: localPort, problems: problems)
        let listened = CompletionGate<Int>()
        let operation = RemoteForwardOperation(
            host: remoteHost, port: remotePort, timeout: timeout, listened: { listened.complete($0) },
            accepted: { relays.relay($0) }, ended: { error in relays.listenerEnded(error) })
        let loop = connection.loop
        guard loop.submit(operation) else {
            throw loop.failure ?? SSHError(.disconnected, "the connection to \(connection.destination) is closed")
        }
        let port: Int
        do {
            port = try await withTaskCancellationHandler {
                try await listened.wait {}
            } onCancel: {
                loop.abandon(operation, with: SSHError(.cancelled, "the remote port forward was cancelled"))
            }
        } catch {
            loop.abandon(operation, with: SSHError(.cancelled, "the remote port forward was not needed"))
            throw error
        }
        return SSHRemoteForward(
            connection: connection, operation: operation, relays: relays, remoteHost: remoteHost, remotePort: port, localPort: localPort)
    }

    /// How many connections have been relayed so far (for tests and progress).
    public var connectionsRelayed: Int { relays.count }

    /// Stops accepting, cuts the connections under way and waits for their
    /// relays to end. The server still listens until the connection closes.
    public func close() async {
        connection.loop.abandon(operation, with: SSHError(.cancelled, "the remote port forward was closed"))
        await relays.closeAll()
    }
}

/// The relays of one remote forward: each accepted channel paired with a
/// fresh connection to the local port.
final class RemoteForwardRelays: Sendable {
    private struct State {
        var closed = false
        var tasks: [Int: Task<Void, Never>] = [:]
        var next = 0
        var count = 0
    }

    private let connection: SSHConnection
    private let localPort: Int
    private let problems: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(connection: SSHConnection, localPort: Int, problems: @escaping @Sendable (String) -> Void) {
        self.connection = connection
        self.localPort = localPort
        self.problems = problems
    }

    var count: Int { state.withLock { $0.count } }

    func listenerEnded(_ error: SSHError?) {
        if let error, !state.withLock({ $0.closed }) { problems("the remote port forward stopped: \(error.message)") }
    }

    /// Called on the loop thread for each accepted channel: connects to the
    /// local port (a loopback connect does not block) and relays both ways
    /// in a task; a channel that cannot be relayed is closed at once.
    func relay(_ channel: AcceptedChannel) {
        let fd = state.withLock { $0.closed } ? -1 : Self.connectLoopback(localPort)
        guard fd >= 0 else {
            if !state.withLock({ $0.closed }) {
                problems("a forwarded connection could not reach 127.0.0.1:\(localPort): \(String(cString: strerror(errno)))")
            }
            connection.discardAccepted(channel)
            return
        }
        let socket = RelayedSocket(fd)
        let stream = connection.relayAccepted(channel, input: CommandInput(source: .stream({ await socket.read() })))
        state.withLock { state in
            let id = state.next
            state.next += 1
            state.count += 1
            state.tasks[id] = Task { [weak self] in
                do {
                    for try await event in stream {
                        if case .stdout(let data) = event, !(await socket.write(data)) { break }
                    }
                } catch {}
                await socket.close()
                _ = self?.state.withLock { $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// Cancels every relay and waits for them.
    func closeAll() async {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            state.closed = true
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    private static func connectLoopback(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            let saved = errno
            Glibc.close(fd)
            errno = saved
            return -1
        }
        return fd
    }
}

extension SSHConnection {
    /// Relays an accepted `forwarded-tcpip` channel: `input` goes to the
    /// far end, what it sends arrives as stdout chunks.
    func relayAccepted(_ channel: AcceptedChannel, input: CommandInput) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        let loop = self.loop
        let sink = StreamingSink(wake: { loop.wake() })
        let pump = InputPump(input, wake: { loop.wake() })
        return streaming(ExecOperation(accepted: channel.pointer, input: pump, sink: sink), sink: sink)
    }

    /// Closes an accepted channel that is not relayed.
    func discardAccepted(_ channel: AcceptedChannel) {
        let loop = self.loop
        let sink = StreamingSink(wake: { loop.wake() })
        let operation = ExecOperation(accepted: channel.pointer, input: InputPump(.none, wake: {}), sink: sink)
        loop.submit(operation)
        loop.abandon(operation, with: SSHError(.cancelled, "the forwarded connection was not relayed"))
    }
}
