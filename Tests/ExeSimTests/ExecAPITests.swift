import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// `POST /exec` with curl: status codes, bodies, token scoping, expiry,
    /// body limit, rate limit.
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct ExecAPITests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        @Test func statusCodesAndBodies() async throws {
            let sim = try sim
            let token = try await sim.harness.mintAPIToken(key: sim.key, label: "codes", cmds: ["ls", "new", "whoami", "rm", "integrations add"])
            let api = sim.harness
            var response = try await api.exec("ls", token: nil)
            #expect(response.status == 401 && response.body == #"{"error":"missing or invalid Authorization header"}"# + "\n")
            response = try await api.exec("ls", token: Secret("exe1.NOTATOKENNOTATOKENNOTATOKEN"))
            #expect(response.status == 401 && response.body == #"{"error":"invalid token"}"# + "\n")
            // Not exe1, so parsed as exe0 (sshkey/token.go ParseToken); the message is the parser's.
            response = try await api.exec("ls", token: Secret("garbage"))
            #expect(response.status == 401 && response.body == #"{"error":"invalid token format: missing exe0. prefix"}"# + "\n")
            response = try await api.exec("ls", token: token, method: "GET")
            #expect(response.status == 405 && response.body == #"{"error":"method not allowed"}"# + "\n")
            response = try await api.exec("frobnicate", token: token)
            #expect(response.status == 404 && response.body == #"{"error":"unknown command"}"# + "\n")
            response = try await api.exec("share show x", token: token)
            #expect(response.status == 403 && response.body == #"{"error":"command not allowed by token permissions"}"# + "\n")
            response = try await api.exec(String(repeating: "a", count: 64 * 1024 + 1), token: token)
            #expect(response.status == 413 && response.body == #"{"error":"request body exceeds 64KB limit"}"# + "\n")
            response = try await api.exec("   ", token: token)
            #expect(response.status == 400 && response.body == #"{"error":"missing command in request body"}"# + "\n")
            response = try await api.exec("ls 'open", token: token)
            #expect(response.status == 400 && response.body == #"{"error":"invalid command syntax"}"# + "\n")
            response = try await api.exec("new --name=abc", token: token)
            #expect(response.status == 422 && response.body == #"{"error":"\#(VMNameRules.invalidMessage)"}"# + "\n")
            response = try await api.exec("ls", token: token)
            #expect(response.status == 200)
            #expect((try JSONLines.object(response.body))["vms"] != nil)
            response = try await api.exec("whoami --bogus", token: token)
            #expect(response.status == 422 && response.body == #"{"error":"flag parsing error: flag provided but not defined: -bogus"}"# + "\n")
            response = try await api.exec("new --name=api-made --no-email", token: token)
            #expect(response.status == 200)
            response = try await api.exec("rm api-made ghost-vm", token: token)
            #expect(response.status == 200)
            #expect(response.body == #"{"error":"VM \"ghost-vm\" not found"}"# + "\n" + #"{"deleted":["api-made"],"failed":["ghost-vm"]}"# + "\n")
            response = try await api.exec("integrations add reflection --name=refl2", token: token)
            #expect(response.status == 200 && response.body.isEmpty)
        }

        @Test func defaultScopeAndCanonicalNames() async throws {
            let sim = try sim
            let plain = try await sim.harness.mintAPIToken(key: sim.key, label: "defaults")
            #expect(try await sim.harness.exec("whoami", token: plain).status == 200)
            #expect(try await sim.harness.exec("ssh-key list", token: plain).status == 200)
            #expect(try await sim.harness.exec("help", token: plain).status == 200)
            #expect(try await sim.harness.exec("ssh-key add x", token: plain).status == 403)
            #expect(try await sim.harness.exec("rm x", token: plain).status == 403)
            // Names are stored as given; a request's canonical name must equal one exactly.
            let linker = try await sim.harness.mintAPIToken(key: sim.key, label: "linker", cmds: ["share add-link"])
            let aliasOnly = try await sim.harness.mintAPIToken(key: sim.key, label: "alias-only", cmds: ["share add-share-link", "ssh-key"])
            _ = try await sim.newVM("api-link-vm")
            let link = try await sim.harness.exec("share add-share-link api-link-vm", token: linker)
            #expect(link.status == 200, "\(link.body)")
            #expect(try await sim.harness.exec("share show api-link-vm", token: linker).status == 403)
            #expect(try await sim.harness.exec("share add-share-link api-link-vm", token: aliasOnly).status == 403)
            #expect(try await sim.harness.exec("share add-link api-link-vm", token: aliasOnly).status == 403)
            #expect(try await sim.harness.exec("ssh-key list", token: aliasOnly).status == 403)
        }

        @Test func cmdsAcceptsAnyNameIncludingTheDefaultList() async throws {
            let sim = try sim
            let defaults = APIToken.defaultCommands.joined(separator: ",")
            let all = try await sim.control("ssh-key generate-api-key --label=every-default --cmds=\(ShellQuote.word(defaults)) --json")
            #expect(all.status == 0, "\(all.stdout)")
            let text = try await sim.control("ssh-key generate-api-key --label=odd-names --cmds=exe0-to-exe1,frobnicate,add-share-link")
            #expect(text.status == 0, "\(text.stdout)")
            // execore/ssh_key_generate_api_key.go prints --cmds as given: `Commands:    %s`.
            #expect(text.stdout.contains("Commands:") && text.stdout.contains("    exe0-to-exe1,frobnicate,add-share-link\n"), "\(text.stdout)")
            let token = Secret(try #require(try JSONLines.object(all.stdout)["token"] as? String))
            #expect(try await sim.harness.exec("whoami", token: token).status == 200)
            _ = try await sim.control("ssh-key remove every-default --json")
            _ = try await sim.control("ssh-key remove odd-names --json")
        }

        @Test func responseHeaders() async throws {
            let sim = try sim
            let token = try await sim.harness.mintAPIToken(key: sim.key, label: "headers", cmds: ["whoami"])
            let jsonType = "application/json; charset=utf-8"
            let unauthorized = try await sim.harness.execResponse(Data("whoami".utf8), token: nil)
            #expect(unauthorized.status == 401)
            #expect(unauthorized.header("WWW-Authenticate") == "Bearer")
            #expect(unauthorized.header("Content-Type") == jsonType)
            let wrongMethod = try await sim.harness.execResponse(Data("whoami".utf8), token: token, method: "PUT")
            #expect(wrongMethod.status == 405 && wrongMethod.header("Allow") == "POST")
            #expect(wrongMethod.header("Content-Type") == jsonType)
            let ok = try await sim.harness.execResponse(Data("whoami".utf8), token: token)
            #expect(ok.status == 200 && ok.header("Content-Type") == jsonType)
            #expect(ok.header("WWW-Authenticate") == nil && ok.header("Allow") == nil)
        }

        @Test func bodyBytes() async throws {
            let sim = try sim
            let token = try await sim.harness.mintAPIToken(key: sim.key, label: "bytes", cmds: ["ls", "new"])
            let api = sim.harness
            let nul = try await api.execResponse(Data("ls\u{0}".utf8), token: token)
            #expect(nul.status == 400 && nul.body == #"{"error":"request body must not contain null bytes"}"# + "\n")
            // Exactly 64 KiB is allowed (trimmed to `ls`); one byte more is not.
            let limit = try await api.execResponse(Data(("ls" + String(repeating: " ", count: 64 * 1024 - 2)).utf8), token: token)
            #expect(limit.status == 200, "\(limit.body)")
            let over = try await api.execResponse(Data(("ls" + String(repeating: " ", count: 64 * 1024 - 1)).utf8), token: token)
            #expect(over.status == 413 && over.body == #"{"error":"request body exceeds 64KB limit"}"# + "\n")
            // Invalid UTF-8 reaches the parser and the command, as with Go.
            let badName = try await api.execResponse(Data("new --name=".utf8) + Data([0xFF, 0xFE]) + Data("-vm".utf8), token: token)
            #expect(badName.status == 422 && badName.body == #"{"error":"\#(VMNameRules.invalidMessage)"}"# + "\n")
            let badCommand = try await api.execResponse(Data([0xFF, 0xFE]), token: token)
            #expect(badCommand.status == 404 && badCommand.body == #"{"error":"unknown command"}"# + "\n")
        }

        @Test func expiredAndRevokedTokens() async throws {
            let sim = try sim
            let token = try await sim.harness.mintAPIToken(key: sim.key, label: "short-lived", cmds: ["ls"], exp: "1h")
            #expect(try await sim.harness.exec("ls", token: token).status == 200)
            let store = StateStore(paths: SimPaths(root: sim.harness.stateDirectory), defaultEmail: "")
            try store.update { state in
                if let index = state.keys.firstIndex(where: { $0.name == "short-lived" }) {
                    state.keys[index].expiresAt = Date(timeIntervalSinceNow: -60)
                }
            }
            let expired = try await sim.harness.exec("ls", token: token)
            #expect(expired.status == 403 && expired.body == #"{"error":"SSH key has expired"}"# + "\n")
            _ = try await sim.json("ssh-key remove short-lived --json")
            let revoked = try await sim.harness.exec("ls", token: token)
            #expect(revoked.status == 401 && revoked.body == #"{"error":"invalid token"}"# + "\n")
        }

        @Test func rateLimitAfterABurstOfSixty() async throws {
            let sim = try sim
            let token = try await sim.harness.mintAPIToken(key: sim.key, label: "bursty", cmds: ["whoami"])
            // Not allowed by the token: answered without running a command, so the burst is fast.
            let responses = try await sim.harness.execBurst("ls", token: token, count: 80)
            #expect(responses.count == 80)
            #expect(responses.filter { $0.status == 403 }.count >= 60)
            let limited = responses.filter { $0.status == 429 }
            #expect(!limited.isEmpty)
            #expect(limited.allSatisfy { $0.body == #"{"error":"rate limit exceeded"}"# + "\n" })
        }
    }
}
