import ExeSSH
import ExeTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Local port forwarding over a real sshd", .serialized, .timeLimit(.minutes(1)))
struct LocalForwardTests {
    /// A loopback TCP client with a receive timeout.
    private static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // Generous: on a loaded 2-core machine (CI beside builds) 15 opens one
        // round trip apart have taken over 10 s; a relay that never answers
        // still fails.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return fd
    }

    /// A forward to `port` on the server, already serving.
    private static func serving(
        _ connection: SSHConnection, to port: Int, problems: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> (SSHLocalForward, Task<Void, Never>) {
        let forward = try SSHLocalForward.listen(connection: connection, remotePort: port, problems: problems)
        return (forward, Task { await forward.serve() })
    }

    /// Sends `line` and reads until a newline (or the timeout).
    private static func exchange(_ fd: Int32, _ line: String) -> String {
        _ = Array((line + "\n").utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received = [UInt8]()
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 {
            received.append(byte)
            if byte == 10 { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test("more forwarded connections open at once than MaxSessions allows sessions: each is relayed (direct-tcpip takes no session slot)")
    func manyOpenConnections() async throws {
        let echo = LineEchoServer()
        defer { echo.stop() }
        try await withServer { server in
            let connection = try await server.connect()
            let problems = Mutex([String]())
            let (forward, serving) = try Self.serving(connection, to: echo.port) { problem in problems.withLock { $0.append(problem) } }
            let port = forward.localPort
            // Blocking clients on threads of their own (not the cooperative
            // pool); all 15 stay open until every one has its answer.
            let clients = (0..<15).map { _ in Self.connect(port) }
            let answers = Mutex([String]())
            let done = DispatchGroup()
            for (index, fd) in clients.enumerated() {
                done.enter()
                Thread {
                    let reply = Self.exchange(fd, "client \(index)")
                    answers.withLock { $0.append(reply) }
                    done.leave()
                }.start()
            }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    done.wait()
                    continuation.resume()
                }
            }
            for fd in clients { close(fd) }
            let replies = answers.withLock { $0 }
            #expect(Set(replies) == Set((0..<15).map { "echo:client \($0)\n" }), "\(replies) \(problems.withLock { $0 })")
            forward.close()
            await serving.value
            await connection.close()
        }
    }

    @Test("serve() ends when the SSH connection is lost, says why (connectionLost), and closes the listener; close() is no loss")
    func endsWhenTheConnectionIsLost() async throws {
        let echo = LineEchoServer()
        defer { echo.stop() }
        try await withServer { server in
            let connection = try await server.connect()
            let problems = Mutex([String]())
            let (forward, serving) = try Self.serving(connection, to: echo.port) { line in problems.withLock { $0.append(line) } }
            let clock = ContinuousClock()
            let client = Self.connect(forward.localPort)
            #expect(Self.exchange(client, "before") == "echo:before\n", "\(problems.withLock { $0 })")
            close(client)
            // The server side of this connection goes away (a restarted VM, a dropped network).
            for pid in server.sessionPIDs { kill(pid, SIGKILL) }
            let cut = clock.now
            await serving.value
            #expect(clock.now - cut < .seconds(10))
            #expect(forward.connectionLost?.kind == .disconnected, "\(String(describing: forward.connectionLost))")
            let after = Self.connect(forward.localPort)
            #expect(Self.exchange(after, "after").isEmpty, "the listener is closed")
            close(after)
            await connection.close()

            let again = try await server.connect()
            let (closing, servingAgain) = try Self.serving(again, to: echo.port)
            closing.close()
            await servingAgain.value
            #expect(closing.connectionLost == nil)
            await again.close()
        }
    }

    @Test("close() ends serve() while a local client has stopped reading (a relay's blocked write is cut, not waited for)")
    func closeWithAStalledReader() async throws {
        let echo = LineEchoServer()
        defer { echo.stop() }
        try await withServer { server in
            let connection = try await server.connect()
            let (forward, serving) = try Self.serving(connection, to: echo.port)
            let client = Self.connect(forward.localPort)
            // 16 MB of lines go out and echo back; the client never reads them.
            Thread {
                let line = Array((String(repeating: "x", count: 1023) + "\n").utf8)
                for _ in 0..<16384 {
                    let sent = line.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if sent <= 0 { return }
                }
            }.start()
            try await Task.sleep(for: .seconds(2))  // the echo has filled the client's buffers
            let clock = ContinuousClock()
            let closing = clock.now
            forward.close()
            await serving.value
            #expect(clock.now - closing < .seconds(10))
            close(client)
            await connection.close()
        }
    }
}
