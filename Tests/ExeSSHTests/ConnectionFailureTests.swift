import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Connection failures and recovery")
struct ConnectionFailureTests {
    @Test("nothing listening: connection refused")
    func refused() async throws {
        let port = LoopbackPort.free()
        var configuration = SSHClientConfiguration()
        configuration.useAgent = false
        let error = await #expect(throws: SSHError.self) {
            try await SSHConnection.connect(to: SSHDestination(host: "127.0.0.1", port: port, user: "nobody"), configuration: configuration)
        }
        #expect(error?.kind == .connectionRefused)
    }

    @Test("a listener that never speaks fails at the handshake deadline")
    func silentListener() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var configuration = SSHClientConfiguration()
        configuration.handshakeTimeout = .seconds(1)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: SSHError.self) {
            try await SSHConnection.connect(to: SSHDestination(host: "127.0.0.1", port: listener.port, user: "nobody"), configuration: configuration)
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("did not speak SSH") == true)
        #expect(clock.now - start < .seconds(4))
    }

    @Test("host names resolve, trying each address")
    func hostName() async throws {
        try await withServer { server in
            let connection = try await SSHConnection.connect(
                to: SSHDestination(host: "localhost", port: server.port, user: server.user),
                configuration: server.clientConfiguration(policy: .insecureAcceptAny))
            #expect(try await connection.run("true").succeeded)
        }
    }

    @Test("connects over IPv6 ([::1]:port in known_hosts)")
    func ipv6() async throws {
        try await withServer(.init(extraConfig: ["ListenAddress ::1"])) { server in
            let key = try String(contentsOfFile: server.hostEd25519.publicPath, encoding: .utf8).split(separator: " ")
            let known = try server.directory.write("v6_known_hosts", "[::1]:\(server.port) \(key[0]) \(key[1])\n")
            let destination = try SSHDestination.parse("\(server.user)@[::1]:\(server.port)", defaultUser: "x")
            let connection = try await SSHConnection.connect(to: destination, configuration: server.clientConfiguration(knownHosts: [known]))
            #expect(try await connection.run("echo v6").stdout == "v6\n")
            await connection.close()
        }
    }

    @Test("a server killed mid-command fails every pending operation with `disconnected`")
    func killedServer() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let clock = ContinuousClock()
            let start = clock.now
            let pending = Task { try await connection.run("sleep 30") }
            let other = Task { try await connection.run("sleep 30") }
            try await Task.sleep(for: .milliseconds(500))
            for pid in server.sessionPIDs { kill(pid, SIGKILL) }
            for task in [pending, other] {
                let error = await #expect(throws: SSHError.self) { try await task.value }
                #expect(error?.kind == .disconnected)
            }
            #expect(clock.now - start < .seconds(10))
            #expect(!connection.isAlive)
            let after = await #expect(throws: SSHError.self) { try await connection.run("true") }
            #expect(after?.kind == .disconnected)
        }
    }

    @Test("a server that stops answering is declared dead by the keepalive")
    func frozenServer() async throws {
        try await withServer { server in
            var configuration = server.clientConfiguration()
            configuration.keepaliveInterval = .seconds(2)
            configuration.keepaliveCountMax = 2
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("true").succeeded)
            let frozen = server.sessionPIDs
            for pid in frozen { kill(pid, SIGSTOP) }
            defer { for pid in frozen { kill(pid, SIGKILL); kill(pid, SIGCONT) } }
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: SSHError.self) { try await connection.run("echo never") }
            #expect(error?.kind == .disconnected)
            #expect(clock.now - start < .seconds(12))
        }
    }

    @Test("the pool reconnects on next use after the server restarts")
    func poolReconnects() async throws {
        try await withServer { server in
            let pool = SSHConnectionPool(configuration: server.clientConfiguration())
            #expect(try await pool.run("echo one", on: server.sshDestination).stdout == "one\n")
            try server.restart()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await pool.run("echo two", on: server.sshDestination).stdout == "two\n")
            #expect(await pool.connectionsOpened == 2)
            await pool.closeAll()
        }
    }

    @Test("a thousand operations through the pool cost one handshake")
    func poolReuse() async throws {
        try await withServer { server in
            let pool = SSHConnectionPool(configuration: server.clientConfiguration())
            for index in 0..<1000 {
                let result = try await pool.run("echo \(index)", on: server.sshDestination)
                #expect(result.stdout == "\(index)\n")
            }
            #expect(await pool.connectionsOpened == 1)
            await pool.closeAll()
        }
    }
}
