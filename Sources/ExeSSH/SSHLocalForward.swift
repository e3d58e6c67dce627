internal import CLibSSH2
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A local port forward (`ssh -L`): a listener on `127.0.0.1` whose every
/// connection is relayed over a `direct-tcpip` channel of an
/// ``SSHConnection`` to a host and port as seen from the server.
///
/// ```swift
/// let forward = try SSHLocalForward.listen(connection: connection, remotePort: 8000)
/// try await connection.probeForward(toHost: "127.0.0.1", port: 8000)
/// print("http://127.0.0.1:\(forward.localPort)")
/// await forward.serve()          // until close()
/// ```
///
/// Blocking socket calls run on dispatch queues of their own, never on
/// Swift's cooperative pool.
public final class SSHLocalForward: Sendable {
    /// The local port connections are accepted on.
    public let localPort: Int
    /// The host the server connects to.
    public let remoteHost: String
    /// The port the server connects to.
    public let remotePort: Int
    private let connection: SSHConnection
    private let listener: Int32
    private let closed = Mutex(false)
    private let lost = Mutex<SSHError?>(nil)
    private let problems: @Sendable (String) -> Void

    private init(connection: SSHConnection, listener: Int32, localPort: Int, remoteHost: String, remotePort: Int, problems: @escaping @Sendable (String) -> Void) {
        self.connection = connection
        self.listener = listener
        self.localPort = localPort
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.problems = problems
    }

    deinit { close() }

    /// Listens on `127.0.0.1:localPort` (`0`: a free port, see ``localPort``).
    ///
    /// - Parameters:
    ///   - connection: the SSH connection the channels are opened on.
    ///   - localPort: the loopback port to listen on (`0`: a free one).
    ///   - remoteHost: where the far end connects, as the server sees it.
    ///   - remotePort: the port it connects to there.
    ///   - problems: told about connections that could not be
    ///     forwarded (the far end refused), one line each.
    public static func listen(
        connection: SSHConnection, remoteHost: String = "127.0.0.1", remotePort: Int, localPort: Int = 0,
        problems: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> SSHLocalForward {
        guard (0...65535).contains(localPort), (1...65535).contains(remotePort) else {
            throw SSHError(.invalidConfiguration, "ports are 1 to 65535 (local 0 picks a free one)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SSHError(.invalidConfiguration, "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(localPort).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SSHError(.invalidConfiguration, "cannot listen on 127.0.0.1:\(localPort): \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        return SSHLocalForward(connection: connection, listener: fd, localPort: port, remoteHost: remoteHost, remotePort: remotePort, problems: problems)
    }

    /// Why ``serve()`` ended on its own: the SSH connection was lost (a
    /// laptop's sleep, a network change, the VM restarted). `nil` after
    /// ``close()``.
    public var connectionLost: SSHError? { lost.withLock { $0 } }

    /// Accepts and relays connections until ``close()`` or until the SSH
    /// connection is lost (then ``connectionLost`` says so, and the listener
    /// is closed); returns once every relayed connection has ended.
    public func serve() async {
        await withTaskGroup(of: Void.self) { group in
            while let client = await acceptNext() {
                group.addTask { await self.relay(client) }
            }
            group.cancelAll()
        }
    }

    /// Stops accepting (connections under way are cut) and closes the listener.
    public func close() {
        let first = closed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        if first { Glibc.close(listener) }
    }

    private var isClosed: Bool { closed.withLock { $0 } }

    /// The next accepted connection, or `nil` once closed. Polls so that
    /// ``close()`` is noticed within a fifth of a second.
    private func acceptNext() async -> Int32? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
            DispatchQueue.global().async {
                while true {
                    if !self.connection.isAlive {
                        let destination = self.connection.destination
                        self.lost.withLock {
                            $0 = $0 ?? SSHError(.disconnected, "the connection to \(destination) was lost; the forward from 127.0.0.1:\(self.localPort) ended")
                        }
                        self.close()
                        return continuation.resume(returning: nil)
                    }
                    // The listener is closed under the lock, so it is never polled closed.
                    let ready = self.closed.withLock { closed -> Int32 in
                        if closed { return -2 }
                        var poller = pollfd(fd: self.listener, events: Int16(POLLIN), revents: 0)
                        return poll(&poller, 1, 0)
                    }
                    if ready == -2 { return continuation.resume(returning: nil) }
                    if ready > 0 {
                        let client = self.closed.withLock { closed -> Int32 in closed ? -1 : accept(self.listener, nil, nil) }
                        if client >= 0 {
                            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                            return continuation.resume(returning: client)
                        }
                    }
                    usleep(ready > 0 ? 1000 : 200_000)
                }
            }
        }
    }

    /// Relays one local connection over its own channel, both ways, until
    /// either side closes.
    private func relay(_ client: Int32) async {
        let socket = RelayedSocket(client)
        let input = CommandInput(source: .stream({ await socket.read() }))
        do {
            let stream = connection.forward(toHost: remoteHost, port: remotePort, input: input)
            for try await event in stream {
                if isClosed { break }
                if case .stdout(let data) = event, !(await socket.write(data)) { break }
            }
        } catch {
            if !isClosed { problems("a connection to 127.0.0.1:\(localPort) could not be forwarded to port \(remotePort): \(error)") }
        }
        await socket.close()
    }
}
