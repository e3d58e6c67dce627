import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP server that answers every line it reads with
/// `echo:<line>` and counts connections (a thread per connection, off the
/// cooperative pool).
final class LineEchoServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let accepted = Mutex(0)

    init() {
        (listener, port) = LoopbackPort.listeningSocket(backlog: 16)
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                accepted.withLock { $0 += 1 }
                Thread {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    var line = Data()
                    while true {
                        let count = recv(client, &buffer, buffer.count, 0)
                        if count <= 0 { break }
                        line.append(contentsOf: buffer[0..<count])
                        while let newline = line.firstIndex(of: 10) {
                            let reply = Data("echo:".utf8) + line[line.startIndex...newline]
                            line.removeSubrange(line.startIndex...newline)
                            _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        }
                    }
                    close(client)
                }.start()
            }
        }
        thread.start()
    }

    var connections: Int { accepted.withLock { $0 } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

@Suite("Remote port forwarding over a real sshd", .serialized)
struct RemoteForwardTests {
    @Test("tcpip-forward: sshd listens on its 127.0.0.1:<port it picked>; connections made there reach a local port; closing the connection stops the listener")
    func remoteForwardRelays() async throws {
        let echo = LineEchoServer()
        defer { echo.stop() }
        try await withServer { server in
            let connection = try await server.connect()
            let forward = try await SSHRemoteForward.open(connection: connection, localPort: echo.port)
            #expect(forward.remotePort > 0 && forward.remotePort != echo.port)
            // Two connections from the server's side, each relayed to the echo server.
            let script = """
                for word in one two; do
                  exec 3<>/dev/tcp/127.0.0.1/\(forward.remotePort)
                  echo "$word" >&3
                  head -n 1 <&3
                  exec 3<&-
                done
                """
            let result = try await connection.run("bash -c \(ShellQuote.word(script))", timeout: .seconds(30))
            #expect(result.stdout == "echo:one\necho:two\n", "\(result.stderr)")
            #expect(echo.connections == 2)
            #expect(forward.connectionsRelayed == 2)
            await forward.close()
            await connection.close()

            // The listener went with the connection.
            let other = try await server.connect()
            let refused = try await other.run("bash -c \(ShellQuote.word("exec 3<>/dev/tcp/127.0.0.1/\(forward.remotePort)"))", timeout: .seconds(30))
            #expect(refused.exitCode != 0)
            await other.close()
        }
    }

    @Test("a port the server cannot bind is refused with an error naming it")
    func remoteForwardRefused() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            // sshd itself listens on its port: binding it again fails.
            await #expect(throws: SSHError.self) {
                _ = try await SSHRemoteForward.open(connection: connection, remotePort: server.port, localPort: 9)
            }
            // The connection is still usable.
            #expect(try await connection.run("echo ok").stdout == "ok\n")
            await connection.close()
        }
    }
}
