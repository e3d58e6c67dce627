import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Tokens minted by exe-cli and commands on VMs over HTTPS, against a real
/// exe-sim, which checks the tokens with OpenSSH's `ssh-keygen -Y verify`
/// (sshkey/token.go, execore/exec_handler.go, https-api-run-on-vm.md).
@Suite(.cliSimulator, .serialized, .timeLimit(.minutes(4)))
struct SimulatorTokenCLITests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulator trait") } }

    @Test("token mint: the token works on /exec, its cmds limit it, --vm tokens and expired tokens are refused")
    func mintedTokens() async throws {
        let sim = try sim
        let minted = try await sim.run(["token", "mint", "--cmds", "whoami,ls", "--exp", "10min"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("exe0.") && token.split(separator: ".").count == 3)
        let payload = try #require(Self.payload(of: token))
        #expect(payload.hasPrefix("{\"exp\":") && payload.hasSuffix(",\"cmds\":[\"whoami\",\"ls\"]}"), "\(payload)")

        var response = try await sim.harness.exec("whoami", token: Secret(token))
        #expect(response.status == 200, "\(response.body)")
        response = try await sim.harness.exec("new --name=not-allowed", token: Secret(token))
        #expect(response.status == 403 && response.body == #"{"error":"command not allowed by token permissions"}"# + "\n")

        let forVM = try await sim.run(["token", "mint", "--vm", "some-vm"])
        #expect(forVM.status == 0, "\(forVM.stderr)")
        response = try await sim.harness.exec("whoami", token: Secret(forVM.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(response.status == 401 && response.body == #"{"error":"invalid token"}"# + "\n")

        let expired = try await sim.run(["token", "mint", "--exp", "2001-01-01"])
        #expect(expired.status == 0, "\(expired.stderr)")
        response = try await sim.harness.exec("whoami", token: Secret(expired.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(response.status == 401 && response.body == #"{"error":"invalid token: token has expired"}"# + "\n")

        let badContext = try await sim.run(["token", "mint", "--ctx", #"{"a":1,"a":2}"#])
        #expect(badContext.status != 0 && badContext.stdout.isEmpty)
        #expect(badContext.stderr.contains("ctx is not valid JSON: duplicate key a"), "\(badContext.stderr)")
        let outOfRange = try await sim.run(["token", "mint", "--exp", "1999-12-31"])
        #expect(outOfRange.status != 0 && outOfRange.stderr.contains("out of the valid range"), "\(outOfRange.stderr)")
    }

    @Test("--transport https without EXE_API_TOKEN mints a short-lived token per request")
    func httpsWithMintedTokens() async throws {
        let sim = try sim
        let listed = try await sim.run(["vm", "ls", "--json"], extra: ["EXE_TRANSPORT": "https"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])
        #expect(list["vms"] as? [Any] != nil)
        let noKey = try await sim.run(["vm", "ls"], extra: ["EXE_TRANSPORT": "https", "EXE_IDENTITY": sim.home.file("missing")])
        #expect(noKey.status == 4, "\(noKey.stderr)")
        #expect(noKey.stderr.contains("the https transport needs a token"))
    }

    @Test("vm exec over HTTPS: output streamed merged, exit status from X-Exe-Exit, quoting survives both lexers, 64 KiB refused early")
    func execOverHTTPS() async throws {
        let sim = try sim
        let https = ["EXE_TRANSPORT": "https"]
        let created = try await sim.run(["vm", "new", "--name", "https-box", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        defer { Task { _ = try? await sim.run(["vm", "rm", "https-box"]) } }

        let exec = try await sim.run(["vm", "exec", "https-box", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], extra: https)
        #expect(exec.status == 3, "\(exec.stderr)")
        #expect(exec.stdout == "out\nerr\n")
        let quoted = try await sim.run(
            ["vm", "exec", "https-box", "--", "printf", "%s|", "it's", "a \"b\"", "$HOME", "*", "x;y"], extra: https)
        #expect(quoted.status == 0, "\(quoted.stderr)")
        #expect(quoted.stdout == "it's|a \"b\"|$HOME|*|x;y|")
        let line = try await sim.run(["vm", "exec", "https-box", "--", "echo $((6 * 7)) | tr 0-9 a-j"], extra: https)
        #expect(line.stdout == "ec\n", "\(line.stderr)")

        let missing = try await sim.run(["vm", "exec", "ghost-vm", "--", "true"], extra: https)
        #expect(missing.status == 3 && missing.stderr == "error: VM \"ghost-vm\" not found\n", "\(missing.stderr)")
        let long = try await sim.run(["vm", "exec", "https-box", "--", "echo", String(repeating: "x", count: 64 * 1024)], extra: https)
        #expect(long.status != 0 && long.stderr.contains("exceeds 64KB limit"), "\(long.stderr)")
    }

    @Test("a tag-scoped API key sees and touches only its tag's VMs, tags what it creates, cannot change tags")
    func tagScopedKey() async throws {
        let sim = try sim
        let other = try await sim.run(["vm", "new", "--name", "untagged-box"])
        #expect(other.status == 0, "\(other.stderr)")
        defer { Task { _ = try? await sim.run(["vm", "rm", "untagged-box"]) } }
        let generated = try await sim.harness.ssh(
            "ssh-key generate-api-key --json --label=ci-key --tag=ci '--cmds=ls,new,rm,tag,resize,ssh'", key: sim.key.privatePath)
        #expect(generated.status == 0, "\(generated.stdout)\(generated.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: generated.standardOutput) as? [String: Any])
        let token = try #require(object["token"] as? String)
        let scoped = ["EXE_TRANSPORT": "https", "EXE_API_TOKEN": token]

        let made = try await sim.run(["vm", "new", "--name", "ci-box", "--json"], extra: scoped)
        #expect(made.status == 0, "\(made.stderr)")
        let listed = try await sim.run(["vm", "ls", "--json"], extra: scoped)
        let list = try #require(try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])
        let vms = try #require(list["vms"] as? [[String: Any]])
        #expect(vms.map { $0["vm_name"] as? String } == ["ci-box"])
        #expect(vms.first?["tags"] as? [String] == ["ci"])

        let hidden = try await sim.run(["vm", "rm", "untagged-box"], extra: scoped)
        #expect(hidden.status == 3 && hidden.stderr == "error: VM \"untagged-box\" not found\n", "\(hidden.stderr)")
        let retag = try await sim.run(["vm", "tag", "ci-box", "prod"], extra: scoped)
        #expect(retag.status == 4 && retag.stderr == "error: SSH key scoped to tag \"ci\" cannot modify tags\n", "\(retag.stderr)")
        let resize = try await sim.run(["vm", "resize", "ci-box", "--disk", "30"], extra: scoped)
        #expect(resize.status == 4 && resize.stderr == "error: command not allowed by SSH key permissions\n", "\(resize.stderr)")
        let hiddenExec = try await sim.run(["vm", "exec", "untagged-box", "--", "true"], extra: scoped)
        #expect(hiddenExec.status == 3, "\(hiddenExec.stderr)")
        let ownExec = try await sim.run(["vm", "exec", "ci-box", "--", "echo", "scoped"], extra: scoped)
        #expect(ownExec.status == 0 && ownExec.stdout == "scoped\n", "\(ownExec.stderr)")

        // The account's own key still sees both.
        let all = try await sim.run(["vm", "ls", "--json"])
        #expect(all.stdout.contains("untagged-box") && all.stdout.contains("ci-box"))
        #expect(try await sim.run(["vm", "rm", "ci-box"], extra: scoped).status == 0)
    }

    /// The payload of an exe0 token, decoded.
    static func payload(of token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var text = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) }
    }
}
