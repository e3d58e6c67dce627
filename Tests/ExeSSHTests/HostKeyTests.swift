import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Host key verification")
struct HostKeyTests {
    @Test("strict: an unknown host is refused and the error shows the presented fingerprint")
    func unknownStrict() async throws {
        try await withServer { server in
            let empty = try server.directory.write("empty_known_hosts", "")
            let error = await #expect(throws: SSHError.self) {
                try await server.connect(server.clientConfiguration(knownHosts: [empty]))
            }
            #expect(error?.kind == .hostKeyUnknown)
            let presented = HostKey(type: "ssh-ed25519", blob: try publicBlob(server.hostEd25519))
            #expect(error?.message.contains(presented.fingerprint) == true)
        }
    }

    @Test("accept-new records the key in the tool's file; later strict connections use it")
    func acceptNew() async throws {
        try await withServer { server in
            let owned = server.directory.file("state/known_hosts")
            var configuration = server.clientConfiguration(policy: .acceptNew, knownHosts: [])
            configuration.knownHostsWriteFile = owned
            let first = try await server.connect(configuration)
            #expect(try await first.run("true").succeeded)
            let recorded = try String(contentsOfFile: owned, encoding: .utf8)
            #expect(recorded.hasPrefix("[127.0.0.1]:\(server.port) ssh-ed25519 "))
            let attributes = try FileManager.default.attributesOfItem(atPath: owned)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            let strict = try await server.connect(server.clientConfiguration(policy: .strict, knownHosts: [owned]))
            #expect(try await strict.run("echo ok").stdout == "ok\n")
        }
    }

    @Test("HostKeyAlias: the key is looked up under the alias only, and another key there is refused with both fingerprints")
    func hostKeyAlias() async throws {
        try await withServer { server in
            let presented = HostKey(type: "ssh-ed25519", blob: try publicBlob(server.hostEd25519))
            // Recorded only under the alias (as exe.dev's key is for *.exe.xyz).
            let aliased = try server.directory.write("aliased_known_hosts", "exe.dev ssh-ed25519 \(presented.blob.base64EncodedString())\n")
            var configuration = server.clientConfiguration(policy: .strict, knownHosts: [aliased])
            let unaliased = await #expect(throws: SSHError.self) { try await server.connect(configuration) }
            #expect(unaliased?.kind == .hostKeyUnknown)
            configuration.hostKeyAlias = "exe.dev"
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("echo ok").stdout == "ok\n")

            // Under the alias a different key is a mismatch naming both keys.
            let keys = try await TestKeyring.shared()
            let other = HostKey(type: "ssh-ed25519", blob: try publicBlob(keys.strangerKey))
            let wrong = try server.directory.write("wrong_alias_known_hosts", "exe.dev ssh-ed25519 \(other.blob.base64EncodedString())\n")
            var mismatched = server.clientConfiguration(policy: .acceptNew, knownHosts: [wrong])
            mismatched.knownHostsWriteFile = wrong
            mismatched.hostKeyAlias = "exe.dev"
            let error = await #expect(throws: SSHError.self) { try await server.connect(mismatched) }
            #expect(error?.kind == .hostKeyMismatch)
            #expect(error?.message.contains(other.fingerprint) == true)
            #expect(error?.message.contains(presented.fingerprint) == true)
            #expect(error?.message.contains("host key alias exe.dev") == true)
        }
    }

    @Test("a changed key is always an error naming both fingerprints, even under accept-new")
    func mismatch() async throws {
        try await withServer { server in
            let keys = try await TestKeyring.shared()
            let impostor = try publicBlob(keys.strangerKey)
            let expected = HostKey(type: "ssh-ed25519", blob: impostor)
            let file = try server.directory.write(
                "wrong_known_hosts", "[127.0.0.1]:\(server.port) ssh-ed25519 \(impostor.base64EncodedString())\n")
            let before = try Data(contentsOf: URL(fileURLWithPath: file))
            for policy in [HostKeyPolicy.strict, .acceptNew] {
                var configuration = server.clientConfiguration(policy: policy, knownHosts: [file])
                configuration.knownHostsWriteFile = file
                let error = await #expect(throws: SSHError.self) { try await server.connect(configuration) }
                #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "known_hosts changed after a \(policy) mismatch")
                #expect(error?.kind == .hostKeyMismatch)
                let presented = HostKey(type: "ssh-ed25519", blob: try publicBlob(server.hostEd25519))
                #expect(error?.message.contains(expected.fingerprint) == true)
                #expect(error?.message.contains(presented.fingerprint) == true)
            }
        }
    }

    @Test("hashed known_hosts entries match")
    func hashedEntries() async throws {
        try await withServer { server in
            let hashed = server.directory.file("hashed_known_hosts")
            try FileManager.default.copyItem(atPath: server.knownHostsPath, toPath: hashed)
            try await LocalProcessRunner().check(ProcessInvocation("ssh-keygen", ["-H", "-f", hashed]))
            let text = try String(contentsOfFile: hashed, encoding: .utf8)
            #expect(text.hasPrefix("|1|"))
            let connection = try await server.connect(server.clientConfiguration(knownHosts: [hashed]))
            #expect(try await connection.run("true").succeeded)
        }
    }

    @Test("a host known only by its ECDSA key is asked for that key type, not reported unknown")
    func knownKeyTypeFirst() async throws {
        try await withServer { server in
            let ecdsa = try String(contentsOfFile: server.hostECDSA.publicPath, encoding: .utf8).split(separator: " ")
            let file = try server.directory.write("ecdsa_known_hosts", "[127.0.0.1]:\(server.port) \(ecdsa[0]) \(ecdsa[1])\n")
            let connection = try await server.connect(server.clientConfiguration(knownHosts: [file]))
            #expect(try await connection.run("true").succeeded)
        }
    }

    @Test("a @revoked key is refused; unreadable lines and @cert-authority lines are skipped")
    func markers() async throws {
        try await withServer { server in
            let ed = try String(contentsOfFile: server.hostEd25519.publicPath, encoding: .utf8).split(separator: " ")
            let revoked = try server.directory.write(
                "revoked_known_hosts",
                "garbage line\n@cert-authority *.example ssh-ed25519 \(ed[1])\n@revoked [127.0.0.1]:\(server.port) \(ed[0]) \(ed[1])\n")
            let error = await #expect(throws: SSHError.self) {
                try await server.connect(server.clientConfiguration(knownHosts: [revoked]))
            }
            #expect(error?.kind == .hostKeyMismatch)
            #expect(error?.message.contains("@revoked") == true)
        }
    }

    @Test("insecure-accept-any connects, and says so loudly")
    func insecure() async throws {
        try await withServer { server in
            let warnings = WarningLog()
            var configuration = server.clientConfiguration(policy: .insecureAcceptAny, knownHosts: [])
            configuration.warningHandler = { warnings.append($0) }
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("true").succeeded)
            #expect(warnings.all.contains { $0.contains("host key checking is disabled") })
        }
    }
}

/// The key blob of a `.pub` file.
func publicBlob(_ pair: SSHKeyPair) throws -> Data {
    let fields = pair.publicKey.split(separator: " ")
    return try #require(Data(base64Encoded: String(fields[1])))
}

final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
