import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// exe0 tokens made the way https-api.md shows (`ssh-keygen -Y sign -n
    /// v0@exe.dev`, armour stripped, base64url), checked by the simulator as
    /// `sshkey/token.go` ParseToken/ValidateToken and
    /// `execore/exec_handler.go` do; `exe0-to-exe1`
    /// (`execore/exe0_to_exe1_command.go`); and `ssh VM COMMAND` over
    /// `/exec` (https-api-run-on-vm.md).
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct ExeZeroTokenTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        /// base64url without padding.
        static func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        /// An exe0 token for `payload`, signed by `ssh-keygen -Y sign` with `key` in `namespace`.
        static func token(_ payload: String, key: String, namespace: String = "v0@exe.dev") async throws -> Secret {
            let signed = try await LocalProcessRunner().run(ProcessInvocation(
                "ssh-keygen", ["-Y", "sign", "-f", key, "-n", namespace], standardInput: Data(payload.utf8), timeout: .seconds(30)))
            try #require(signed.status == 0, "\(signed.stderr)")
            let body = signed.stdout.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let blob = try #require(Data(base64Encoded: body))
            return Secret("exe0." + base64URL(Data(payload.utf8)) + "." + base64URL(blob))
        }

        static func error(_ message: String) -> String { #"{"error":"\#(message)"}"# + "\n" }

        @Test func tokensAreCheckedLikeTheServer() async throws {
            let sim = try sim
            let api = sim.harness
            let now = Int(Date().timeIntervalSince1970)
            let good = try await Self.token(#"{"exp":\#(now + 600)}"#, key: sim.key)
            var response = try await api.exec("whoami", token: good)
            #expect(response.status == 200, "\(response.body)")
            // Default cmds (DefaultTokenCmds) do not include rm.
            response = try await api.exec("rm x", token: good)
            #expect(response.status == 403 && response.body == Self.error("command not allowed by token permissions"))

            let cases: [(String, String)] = [
                (#"{"exp":\#(now - 10)}"#, "invalid token: token has expired"),
                (#"{"nbf":\#(now + 600)}"#, "invalid token: token is not yet valid"),
                (#"{"exp":2e9}"#, "invalid token: invalid JSON"),
                (#"{"exp":2000000000.0}"#, "invalid token: invalid JSON"),
                (#"{"exp":0123456789}"#, "invalid token: invalid JSON"),
                (#"{"exp":100}"#, "invalid token: exp out of valid range"),
                (#"{"nbf":4102444801}"#, "invalid token: nbf out of valid range"),
                (#"{"foo":1}"#, #"invalid token: unknown field \"foo\""#),
                (#"{"cmds":["ls"],"cmds":["rm"]}"#, "invalid token: invalid JSON"),
                (#"{"ctx":{"a":1,"a":2}}"#, "invalid token: invalid JSON"),
                (#"{"cmds":[""]}"#, "invalid token: cmds elements must be non-empty strings"),
                (#" {}"#, "invalid token: payload must not have leading or trailing whitespace"),
                ("{\n}", "invalid token: payload must not contain newlines"),
                ("[1]", "invalid token: payload must be a JSON object"),
            ]
            for (payload, message) in cases {
                response = try await api.exec("whoami", token: try await Self.token(payload, key: sim.key))
                #expect(response.status == 401 && response.body == Self.error(message), "\(payload): \(response.body)")
            }
            // Wrong namespace, unregistered key, tampered payload: all just "invalid token".
            let vmScoped = try await Self.token("{}", key: sim.key, namespace: "v0@box.exe.xyz")
            let stranger = try await Self.token("{}", key: sim.strangerKey)
            let parts = good.reveal().split(separator: ".")
            let tampered = Secret("exe0." + Self.base64URL(Data(#"{"exp":\#(now + 700)}"#.utf8)) + "." + parts[2])
            for token in [vmScoped, stranger, tampered] {
                response = try await api.exec("whoami", token: token)
                #expect(response.status == 401 && response.body == Self.error("invalid token"))
                #expect(response.status == 401)
            }
            response = try await api.exec("whoami", token: Secret("garbage"))
            #expect(response.body == Self.error("invalid token format: missing exe0. prefix"))
            response = try await api.exec("whoami", token: Secret("exe0.e30"))
            // Go's JSON encoder escapes < and >.
            #expect(response.body == Self.error(#"invalid token format: expected exe0.\u003cpayload\u003e.\u003csigblob\u003e"#))
            response = try await api.exec("whoami", token: Secret("exe0.e30.AAAA"))
            #expect(response.body == Self.error("invalid token: malformed signature"))

            let scoped = try await Self.token(#"{"cmds":["ls","ssh-key list"]}"#, key: sim.key)
            #expect(try await api.exec("ssh-key list", token: scoped).status == 200)
            #expect(try await api.exec("whoami", token: scoped).status == 403)
        }

        @Test func exe0ToExe1() async throws {
            let sim = try sim
            let now = Int(Date().timeIntervalSince1970)
            let exe0 = try await Self.token(#"{"exp":\#(now + 600),"cmds":["whoami"]}"#, key: sim.key)
            let traded = try await sim.harness.sshSecret("exe0-to-exe1 --json \(exe0.reveal())", key: sim.key)
            #expect(traded.status == 0, "\(traded.stdout)")
            let exe1 = try #require(try JSONLines.object(traded.stdout)["token"] as? String)
            #expect(APIToken.isWellFormed(exe1) && exe1.count == 5 + 26)
            let again = try await sim.harness.sshSecret("exe0-to-exe1 --json \(exe0.reveal())", key: sim.key)
            #expect((try JSONLines.object(again.stdout)["token"] as? String) == exe1)
            #expect(try await sim.harness.exec("whoami", token: Secret(exe1)).status == 200)
            #expect(try await sim.harness.exec("ls", token: Secret(exe1)).status == 403)

            // A VM token trades only with --vm; an expired one is refused.
            let vmToken = try await Self.token("{}", key: sim.key, namespace: "v0@nowhere-vm.exe.xyz")
            var output = try await sim.harness.sshSecret("exe0-to-exe1 \(vmToken.reveal())", key: sim.key)
            // A failed command ends without an exit status: ssh reports 255 (execore/ssh_server.go handleExec).
            #expect(output.status == 255 && output.stdout == "invalid token\n", "\(output.stdout)")
            output = try await sim.harness.sshSecret("exe0-to-exe1 --vm=nowhere-vm \(vmToken.reveal())", key: sim.key)
            #expect(output.stdout == "VM \"nowhere-vm\" not found or access denied\n", "\(output.stdout)")
            let expired = try await Self.token(#"{"exp":\#(now - 5)}"#, key: sim.key)
            output = try await sim.harness.sshSecret("exe0-to-exe1 \(expired.reveal())", key: sim.key)
            #expect(output.stdout == "token has expired\n", "\(output.stdout)")
            output = try await sim.harness.sshSecret("exe0-to-exe1 exe0.bad", key: sim.key)
            #expect(output.stdout == "invalid token: invalid token format: expected exe0.<payload>.<sigblob>\n", "\(output.stdout)")
        }

        @Test func sshOverExecStreamsWithTheExitTrailer() async throws {
            let sim = try sim
            _ = try await sim.newVM("stream-box")
            let token = try await Self.token(#"{"cmds":["ssh"]}"#, key: sim.key)
            let id = UUID().uuidString
            let header = try sim.harness.directory.write("h-\(id)", "Authorization: Bearer \(token.reveal())\n", mode: 0o600)
            let body = try sim.harness.directory.write("b-\(id)", #"ssh stream-box 'echo out; echo err >&2; exit 7'"#, mode: 0o600)
            let dump = sim.harness.directory.file("d-\(id)")
            let output = try await LocalProcessRunner().run(ProcessInvocation(
                "curl", ["-sS", "-D", dump, "-H", "@\(header)", "--data-binary", "@\(body)", sim.harness.apiURL], timeout: .seconds(60)))
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout == "out\nerr\n")
            let headers = try String(contentsOfFile: dump, encoding: .utf8)
            #expect(headers.hasPrefix("HTTP/1.1 200"))
            #expect(headers.contains("Transfer-Encoding: chunked"))
            #expect(headers.hasSuffix("X-Exe-Exit: 7\r\n"), "\(headers)")

            let missing = try await sim.harness.exec("ssh ghost-vm true", token: token)
            #expect(missing.status == 422 && missing.body == Self.error(#"VM \"ghost-vm\" not found"#))
            let interactive = try await sim.harness.exec("ssh stream-box", token: token)
            #expect(interactive.status == 422)
            let notAllowed = try await sim.harness.exec("ssh stream-box true", token: try await Self.token("{}", key: sim.key))
            #expect(notAllowed.status == 403)
            _ = try await sim.control("rm stream-box")
        }

        /// exeweb/proxy.go GetProxyAuth/ValidateVMToken through the running
        /// proxy (curl): an exe0 token signed in namespace v0@VM.exe.xyz opens
        /// that private VM's URL as bearer or Basic password; the same key's
        /// token for another VM, or for /exec (v0@exe.dev), is a 401.
        @Test func theProxyAcceptsExeZeroTokensForItsVM() async throws {
            let sim = try sim
            let vm = try await sim.newVM("exe0-proxy-box")
            let url = try #require(vm["https_url"] as? String)
            let vmToken = try await Self.token("{}", key: sim.key, namespace: "v0@exe0-proxy-box.exe.xyz")
            let anonymous = try await sim.harness.fetch(url)
            #expect(anonymous.status == 307, "\(anonymous)")
            // Past the sharing check, the proxy forwards: nothing serves the port of an image-less VM.
            let bearer = try await sim.harness.fetch(url, headers: ["X-Exedev-Authorization: Bearer \(vmToken.reveal())"])
            #expect(bearer.status == 503 && bearer.body.contains("nothing serves port"), "\(bearer)")
            let basic = try await sim.harness.fetch(url, basicPassword: vmToken)
            #expect(basic.status == 503, "\(basic)")
            let otherVM = try await Self.token("{}", key: sim.key, namespace: "v0@other-box.exe.xyz")
            let forAPI = try await Self.token("{}", key: sim.key)
            for token in [otherVM, forAPI] {
                let refused = try await sim.harness.fetch(url, headers: ["Authorization: Bearer \(token.reveal())"])
                #expect(refused.status == 401, "\(refused)")
            }
            _ = try await sim.control("rm exe0-proxy-box")
        }

        /// exeweb/proxy.go GetProxyAuth: X-Exedev-Authorization, then Authorization, then Basic; namespace v0@VM.exe.xyz.
        @Test func vmProxyTokens() async throws {
            let sim = try sim
            let auth = try VMProxyTokenAuth(stateDirectory: sim.harness.stateDirectory)
            let vmToken = try await Self.token(#"{"ctx":{"role":"ci"}}"#, key: sim.key, namespace: "v0@proxy-box.exe.xyz")
            switch auth.check(headers: [("X-Exedev-Authorization", "Bearer " + vmToken.reveal())], vm: "proxy-box") {
            case .authenticated(let headers, let consumed):
                #expect(consumed == "X-Exedev-Authorization")
                #expect(headers.contains { $0.0 == "X-ExeDev-Token-Ctx" && $0.1 == #"{"role":"ci"}"# })
                #expect(headers.contains { $0.0 == "X-ExeDev-Email" })
            default: Issue.record("a VM token in X-Exedev-Authorization was not accepted")
            }
            let basic = Data("git:\(vmToken.reveal())".utf8).base64EncodedString()
            if case .authenticated(_, let consumed) = auth.check(headers: [("Authorization", "Basic " + basic)], vm: "proxy-box") {
                #expect(consumed == nil)
            } else {
                Issue.record("a VM token as the Basic password was not accepted")
            }
            // The same token for another VM, and an API token, are refused with 401.
            for (token, vm) in [(vmToken, "other-box"), (try await Self.token("{}", key: sim.key), "proxy-box")] {
                guard case .rejected(let status, let headers, let body) = auth.check(headers: [("Authorization", "Bearer " + token.reveal())], vm: vm)
                else {
                    Issue.record("a token for the wrong namespace was accepted")
                    continue
                }
                #expect(status == 401 && body.hasPrefix("invalid or missing authentication (trace "))
                #expect(headers.contains { $0.0 == "WWW-Authenticate" && $0.1 == "Bearer, Basic" })
            }
            let same = "Bearer " + vmToken.reveal()
            if case .rejected(let status, _, _) = auth.check(headers: [("Authorization", same), ("X-Exedev-Authorization", same)], vm: "proxy-box") {
                #expect(status == 400)
            } else {
                Issue.record("identical Authorization and X-Exedev-Authorization were not refused")
            }
            if case .none = auth.check(headers: [("Accept", "*/*")], vm: "proxy-box") {} else { Issue.record("no credentials is not .none") }
        }
    }
}
