import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// exe0 tokens made locally (https-api.md "Authentication", payload rules of
/// sshkey/token.go), checked by the real peer: OpenSSH's `ssh-keygen -Y verify`.
@Suite(.timeLimit(.minutes(2)))
struct TokenMinterTests {
    /// The parts of a token: payload bytes and signature blob.
    static func parts(_ token: Secret) throws -> (payload: Data, signature: Data) {
        let fields = token.reveal().split(separator: ".", omittingEmptySubsequences: false)
        try #require(fields.count == 3 && fields[0] == "exe0")
        func decode(_ text: Substring) throws -> Data {
            var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            while standard.count % 4 != 0 { standard += "=" }
            return try #require(Data(base64Encoded: standard))
        }
        return (try decode(fields[1]), try decode(fields[2]))
    }

    /// Runs `ssh-keygen -Y verify` on the token's payload and signature for
    /// `publicKey` in `namespace`; its exit status.
    static func verify(_ payload: Data, _ signature: Data, publicKey: String, namespace: String, in directory: TemporaryDirectory)
        async throws -> ProcessOutput
    {
        let signers = try directory.write("allowed-\(UUID().uuidString)", "me@example \(publicKey)\n", mode: 0o600)
        let armor = "-----BEGIN SSH SIGNATURE-----\n" + signature.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            + "\n-----END SSH SIGNATURE-----\n"
        let signatureFile = try directory.write("sig-\(UUID().uuidString)", armor, mode: 0o600)
        return try await LocalProcessRunner().run(ProcessInvocation(
            "ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "me@example", "-n", namespace, "-s", signatureFile],
            standardInput: payload, timeout: .seconds(30)))
    }

    @Test("a token minted from an ed25519 key file verifies with ssh-keygen -Y verify, and only in its namespace")
    func keyFileTokenVerifies() async throws {
        let directory = try TemporaryDirectory(prefix: "token-minter")
        defer { directory.remove() }
        let key = try await SSHKeyPair.generate(type: "ed25519", at: directory.file("id_ed25519"))
        let signer = try Ed25519KeyFileSigner(path: key.privatePath)
        #expect(signer.authorizedKeyText == key.publicKey.split(separator: " ").prefix(2).joined(separator: " "))
        let permissions = TokenPermissions(expires: 1_922_918_400, commands: ["ls", "ssh-key list"], context: #" { "team" : ["a", 1.5] } "#)
        let token = try TokenMinter(signer: signer).mint(permissions)
        let (payload, signature) = try Self.parts(token)
        #expect(String(decoding: payload, as: UTF8.self) == #"{"exp":1922918400,"cmds":["ls","ssh-key list"],"ctx":{"team":["a",1.5]}}"#)

        let good = try await Self.verify(payload, signature, publicKey: key.publicKey, namespace: "v0@exe.dev", in: directory)
        #expect(good.status == 0, "\(good.stderr)")
        let otherNamespace = try await Self.verify(payload, signature, publicKey: key.publicKey, namespace: "v0@box.exe.xyz", in: directory)
        #expect(otherNamespace.status != 0)
        var tampered = payload
        tampered[tampered.startIndex + 8] = UInt8(ascii: "2")
        let changed = try await Self.verify(tampered, signature, publicKey: key.publicKey, namespace: "v0@exe.dev", in: directory)
        #expect(changed.status != 0)

        let vmToken = try TokenMinter(signer: signer).mint(TokenPermissions(), namespace: TokenMinter.vmNamespace(try VMName("my-box")))
        let vmParts = try Self.parts(vmToken)
        #expect(vmParts.payload == Data("{}".utf8))
        let vmGood = try await Self.verify(vmParts.payload, vmParts.signature, publicKey: key.publicKey, namespace: "v0@my-box.exe.xyz", in: directory)
        #expect(vmGood.status == 0, "\(vmGood.stderr)")
    }

    @Test("a token signed through ssh-agent verifies; an encrypted key file points at the agent")
    func agentTokenVerifies() async throws {
        let directory = try TemporaryDirectory(prefix: "token-agent")
        defer { directory.remove() }
        let key = try await SSHKeyPair.generate(type: "ed25519", at: directory.file("id_locked"), passphrase: "correct horse")
        #expect(throws: SSHError.self) { try Ed25519KeyFileSigner(path: key.privatePath) }
        let socket = directory.file("agent.sock")
        let agent = try ChildProcess.spawn("ssh-agent", ["-D", "-a", socket], stdout: .null, stderr: .null)
        defer {
            agent.signal(SIGTERM)
            _ = agent.waitBlocking()
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: socket), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try #require(FileManager.default.fileExists(atPath: socket), "ssh-agent did not start")
        // ssh-add reads the passphrase from SSH_ASKPASS (no terminal): a
        // script that prints it. A child shell writes it, so no descriptor
        // open for writing ever exists in this process: a process another
        // test forks meanwhile would inherit it, and exec of the script then
        // fails with ETXTBSY ("Text file busy") until that child execs, which
        // on a loaded machine took over a second. Retried for up to 10 s besides.
        let askpass = directory.file("askpass")
        try await LocalProcessRunner().check(ProcessInvocation(
            "/bin/sh", ["-c", #"printf '#!/bin/sh\necho %s\n' "'correct horse'" > "$1" && chmod 700 "$1""#, "sh", askpass]))
        var added = ProcessOutput(status: -1, standardOutput: Data(), standardError: Data())
        for _ in 0..<20 {
            added = try await LocalProcessRunner().run(ProcessInvocation(
                "setsid", ["-w", "ssh-add", key.privatePath],
                environment: ["SSH_AUTH_SOCK": socket, "SSH_ASKPASS": askpass, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"],
                standardInput: Data(), timeout: .seconds(30)))
            guard added.status != 0, added.stderr.contains("Text file busy") else { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        try #require(added.status == 0, "\(added.stderr)")

        let environment = SSHEnvironment(homeDirectory: directory.path, userName: "test", agentSocket: socket)
        let signer = try SSHSignerChoice.signer(identityFile: key.privatePath, environment: environment)
        #expect(signer is SSHAgentSigner)
        let token = try TokenMinter(signer: signer).mint(TokenPermissions(notBefore: 1_000_000_000, commands: []))
        let (payload, signature) = try Self.parts(token)
        #expect(String(decoding: payload, as: UTF8.self) == #"{"nbf":1000000000,"cmds":[]}"#)
        let checked = try await Self.verify(payload, signature, publicKey: key.publicKey, namespace: "v0@exe.dev", in: directory)
        #expect(checked.status == 0, "\(checked.stderr)")
    }

    @Test("payload rules: timestamps in range, non-empty cmds, ctx valid JSON without duplicate keys, tokens at most 8 KiB")
    func payloadRules() throws {
        func refusal(_ permissions: TokenPermissions) -> String? {
            do {
                _ = try permissions.payload()
                return nil
            } catch { return error.message }
        }
        #expect(refusal(TokenPermissions(expires: 946_684_799))?.contains("out of the valid range") == true)
        #expect(refusal(TokenPermissions(notBefore: 4_102_444_801))?.contains("out of the valid range") == true)
        #expect(refusal(TokenPermissions(expires: 946_684_800, notBefore: 4_102_444_800)) == nil)
        #expect(refusal(TokenPermissions(commands: ["ls", ""])) == "cmds elements must be non-empty")
        #expect(refusal(TokenPermissions(context: #"{"a":{"b":1,"b":2}}"#)) == "ctx is not valid JSON: duplicate key b")
        #expect(refusal(TokenPermissions(context: "{\"a\":1} x")) != nil)
        #expect(refusal(TokenPermissions(context: "[1,]")) != nil)
        #expect(refusal(TokenPermissions(context: "\"tab\tinside\"")) != nil)
        let escaped = try TokenPermissions(commands: ["say \"hi\"\n"], context: "\"line\\nbreak\"").payload()
        #expect(String(decoding: escaped, as: UTF8.self) == #"{"cmds":["say \"hi\"\n"],"ctx":"line\nbreak"}"#)
        #expect(!escaped.contains(0x0a))
    }

    @Test("a token over 8 KiB is refused before it is printed")
    func tokenSizeLimit() async throws {
        let directory = try TemporaryDirectory(prefix: "token-size")
        defer { directory.remove() }
        let key = try await SSHKeyPair.generate(type: "ed25519", at: directory.file("id_ed25519"))
        let minter = TokenMinter(signer: try Ed25519KeyFileSigner(path: key.privatePath))
        let big = TokenPermissions(context: "\"" + String(repeating: "x", count: 6000) + "\"")
        #expect(throws: ControlError.self) { try minter.mint(big) }
        let fits = TokenPermissions(context: "\"" + String(repeating: "x", count: 5000) + "\"")
        #expect(try minter.mint(fits).reveal().utf8.count <= 8192)
    }
}
