import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Authentication")
struct AuthenticationTests {
    @Test("an ssh-agent's ed25519 key authenticates")
    func agent() async throws {
        try await withServer { server in
            let agent = try await TestAgent.start(in: server.directory, keys: [server.clientKey])
            defer { agent.stop() }
            var configuration = server.clientConfiguration(agentSocket: agent.socket)
            configuration.identityFiles = []
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("echo agent").stdout == "agent\n")
        }
    }

    @Test("RSA agent keys are skipped with an explanation when nothing else works")
    func rsaOnlyAgent() async throws {
        try await withServer { server in
            let agent = try await TestAgent.start(in: server.directory, keys: [server.rsaClientKey])
            defer { agent.stop() }
            var configuration = server.clientConfiguration(agentSocket: agent.socket)
            configuration.identityFiles = []
            let error = await #expect(throws: SSHError.self) { try await server.connect(configuration) }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.message.contains("RSA") == true)
            #expect(error?.message.contains("libssh2 1.10") == true)
            #expect(error?.message.contains("publickey") == true)
        }
    }

    @Test("the agent is tried first; when its keys are refused, the key file is used")
    func agentThenKeyFile() async throws {
        try await withServer { server in
            let keys = try await TestKeyring.shared()
            let agent = try await TestAgent.start(in: server.directory, keys: [keys.strangerKey])
            defer { agent.stop() }
            let configuration = server.clientConfiguration(agentSocket: agent.socket)  // identity: the authorized key file
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("echo fallback").stdout == "fallback\n")
            await connection.close()
            let stranger = HostKey(type: "ssh-ed25519", blob: try publicBlob(keys.strangerKey)).fingerprint
            let accepted = HostKey(type: "ssh-ed25519", blob: try publicBlob(server.clientKey)).fingerprint
            let log = server.log
            let refused = try #require(log.range(of: stranger), "sshd never saw the agent's key:\n\(log)")
            let used = try #require(log.range(of: "Accepted publickey"), "no accepted key in:\n\(log)")
            #expect(refused.lowerBound < used.lowerBound, "the key file was tried before the agent")
            #expect(log[used.lowerBound...].contains(accepted))
        }
    }

    @Test("an encrypted key works with the right passphrase from the provider")
    func passphrase() async throws {
        try await withServer { server in
            let configuration = server.clientConfiguration(identity: server.encryptedClientKey, passphrase: TestKeyring.passphrase)
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("true").succeeded)
        }
    }

    @Test("a wrong passphrase fails authentication and says so")
    func wrongPassphrase() async throws {
        try await withServer { server in
            let configuration = server.clientConfiguration(identity: server.encryptedClientKey, passphrase: "not it")
            let error = await #expect(throws: SSHError.self) { try await server.connect(configuration) }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.message.contains("wrong passphrase") == true)
            #expect(error?.message.contains("not it") == false)
        }
    }

    @Test("an encrypted key without a provider is reported, not prompted for")
    func noProvider() async throws {
        try await withServer { server in
            let configuration = server.clientConfiguration(identity: server.encryptedClientKey)
            let error = await #expect(throws: SSHError.self) { try await server.connect(configuration) }
            #expect(error?.message.contains("encrypted") == true)
        }
    }

    @Test("an RSA key file fails with the libssh2 1.10 explanation")
    func rsaKeyFile() async throws {
        try await withServer { server in
            let error = await #expect(throws: SSHError.self) {
                try await server.connect(server.clientConfiguration(identity: server.rsaClientKey))
            }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.message.contains("RSA keys not usable") == true)
        }
    }

    @Test("a rejected key is named in the error, with the methods the server offers")
    func rejected() async throws {
        try await withServer { server in
            let keys = try await TestKeyring.shared()
            let error = await #expect(throws: SSHError.self) {
                try await server.connect(server.clientConfiguration(identity: keys.strangerKey))
            }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.message.contains(keys.strangerKey.privatePath) == true)
            #expect(error?.message.contains("the server offers: publickey") == true)
        }
    }

    @Test("default identities come from ~/.ssh/id_ed25519")
    func defaultIdentity() async throws {
        try await withServer { server in
            try FileManager.default.copyItem(atPath: server.clientKey.privatePath, toPath: server.directory.file(".ssh/id_ed25519"))
            var configuration = server.clientConfiguration()
            configuration.identityFiles = []
            configuration.useDefaultIdentities = true
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("true").succeeded)
        }
    }
}

/// An `ssh-agent` started for one test, holding the given keys.
struct TestAgent {
    let socket: String
    let process: ChildProcess

    static func start(in directory: TemporaryDirectory, keys: [SSHKeyPair]) async throws -> TestAgent {
        let socket = directory.file("agent-\(UInt32.random(in: 0...UInt32.max)).sock")
        let process = try ChildProcess.spawn("ssh-agent", ["-D", "-a", socket], stdout: .null, stderr: .null)
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: socket), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(FileManager.default.fileExists(atPath: socket), "ssh-agent did not start")
        for key in keys {
            try await LocalProcessRunner().check(ProcessInvocation("ssh-add", ["-q", key.privatePath], environment: ["SSH_AUTH_SOCK": socket]))
        }
        return TestAgent(socket: socket, process: process)
    }

    func stop() { process.terminate() }
}
