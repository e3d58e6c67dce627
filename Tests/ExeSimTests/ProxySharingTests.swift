import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// VM URLs as exeprox serves them (`exeweb/proxy.go` `HandleProxyRequest`,
    /// `GetProxyAuth`, `RedirectToAuth`, `RenderAccessRequired`,
    /// `proxyViaSSHPortForward`; `docs/content/proxy.md`, `sharing.md`):
    /// one URL per VM name routed by `Host`, private VMs closed to anonymous
    /// requests, VM-scoped tokens as bearer or Basic, exe.dev's identity
    /// headers, share links. Driven with curl through `--connect-to`, against
    /// an image whose CGI script echoes the request headers it received.
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct ProxySharingTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        /// An image serving `/cgi-bin/env` (the CGI environment: one
        /// `HTTP_*` line per request header) and `/` on 8080.
        static func pushEchoImage(_ sim: SimulatorFixture) async throws -> String {
            let harness = sim.harness
            let context = harness.directory.file("image-echo")
            if FileManager.default.fileExists(atPath: context) { return "\(harness.registry)/echo:1" }
            try FileManager.default.createDirectory(atPath: context + "/www/cgi-bin", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: context + "/busybox")
            try "echo page\n".write(toFile: context + "/www/index.html", atomically: true, encoding: .utf8)
            try "#!/bin/busybox sh\necho 'Content-Type: text/plain'\necho\n/bin/busybox env | /bin/busybox sort\n"
                .write(toFile: context + "/www/cgi-bin/env", atomically: true, encoding: .utf8)
            chmod(context + "/www/cgi-bin/env", 0o755)
            try """
                FROM scratch
                COPY busybox /bin/busybox
                COPY www /www
                EXPOSE 8080
                CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]

                """.write(toFile: context + "/Containerfile", atomically: true, encoding: .utf8)
            let image = "\(harness.registry)/echo:1"
            let runner = LocalProcessRunner()
            try await runner.check(ProcessInvocation(
                "buildah", ["--storage-driver", "vfs", "bud", "--isolation", "chroot", "-q", "-t", image, context], timeout: .seconds(300)))
            let authFile = try harness.directory.write(
                "push-auth-echo.json",
                #"{"auths":{"\#(harness.registry)":{"auth":"\#(Data("\(harness.registryUser):\(harness.registryPassword.reveal())".utf8).base64EncodedString())"}}}"#,
                mode: 0o600)
            try await runner.check(ProcessInvocation(
                "buildah", ["--storage-driver", "vfs", "push", "--tls-verify=false", "--authfile", authFile, image], timeout: .seconds(300)))
            return image
        }

        /// A running echo VM named `name` and its URL (waits until the app answers).
        func echoVM(_ name: String) async throws -> String {
            let sim = try sim
            let image = try await Self.pushEchoImage(sim)
            let auth = "\(sim.harness.registryUser):\(sim.harness.registryPassword.reveal())"
            let created = try await sim.harness.sshSecret("new --name=\(name) --image=\(image) --registry-auth=\(auth) --json", key: sim.key)
            #expect(created.status == 0, "\(created.stdout)")
            let url = try #require(try JSONLines.object(created.stdout)["https_url"] as? String)
            let token = try await sim.harness.mintVMToken(key: sim.key, vm: name, label: "wait-\(name)")
            var answered = false
            let deadline = ContinuousClock.now + .seconds(120)
            while !answered, ContinuousClock.now < deadline {
                answered = try await sim.harness.fetch(url, headers: ["X-Exedev-Authorization: Bearer \(token.reveal())"]).status == 200
                if !answered { try await Task.sleep(for: .milliseconds(200)) }
            }
            try #require(answered, "\(name) did not answer within 120 s")
            _ = try await sim.control("ssh-key remove wait-\(name)")
            return url
        }

        /// The CGI environment lines the app saw.
        static func seen(_ response: VMURLResponse) -> [String: String] {
            var values: [String: String] = [:]
            for line in response.body.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return values
        }

        @Test func oneURLPerVMNameSurvivesRename() async throws {
            let sim = try sim
            let url = try await echoVM("named-one")
            #expect(url == "http://named-one.exe-sim.localhost")
            _ = try await sim.json("share set-public named-one --json")
            #expect(try await sim.harness.fetch(url).body == "echo page\n")
            // The URL belongs to the name: after a rename the new name serves and the old one is gone.
            _ = try await sim.control("rename named-one named-two --json")
            #expect(try await sim.harness.fetch("http://named-two.exe-sim.localhost/").body == "echo page\n")
            let gone = try await sim.harness.fetch(url + "/x?y=1")
            // RenderAccessRequired(nil) without a login: to the main domain's auth page.
            #expect(gone.status == 307)
            #expect(gone.headers["location"] == "http://exe-sim.localhost/auth?redirect=%2Fx%3Fy%3D1&return_host=named-one.exe-sim.localhost")
            _ = try await sim.control("rm named-two --json")
        }

        @Test func privateVMRedirectsAnonymousRequestsToLogin() async throws {
            let sim = try sim
            let url = try await echoVM("closed-one")
            let anonymous = try await sim.harness.fetch(url + "/cgi-bin/env?a=b")
            #expect(anonymous.status == 307)
            #expect(
                anonymous.headers["location"]
                    == "http://closed-one.exe-sim.localhost/__exe.dev/login?exedev_host=closed-one.exe-sim.localhost&redirect=%2Fcgi-bin%2Fenv%3Fa%3Db")
            // The login URL goes on to the main domain (HandleProxyLogin).
            let login = try await sim.harness.fetch(url + "/__exe.dev/login?redirect=%2Fcgi-bin%2Fenv")
            #expect(login.status == 307)
            #expect(login.headers["location"] == "http://exe-sim.localhost/auth?redirect=%2Fcgi-bin%2Fenv&return_host=closed-one.exe-sim.localhost")
            #expect(try await sim.harness.fetch(url + "/__exe.dev/other").status == 404)
            // An API client (an Authorization header) gets a 401, not a redirect.
            let wrong = try await sim.harness.fetch(url, headers: ["Authorization: Bearer exe1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
            #expect(wrong.status == 401)
            #expect(wrong.headers["www-authenticate"] == "Bearer, Basic")
            #expect(wrong.body.hasPrefix("invalid or missing authentication (trace "))
            _ = try await sim.control("rm closed-one --json")
        }

        @Test func vmScopedTokensAdmitAsBearerOrBasicAndNameTheUser() async throws {
            let sim = try sim
            let url = try await echoVM("token-one")
            let other = try await echoVM("token-two")
            let token = try await sim.harness.mintVMToken(key: sim.key, vm: "token-one", label: "proxy-token")
            let email = (try await sim.json("whoami --json"))["email"] as? String

            let viaExeDev = try await sim.harness.fetch(
                url + "/cgi-bin/env", headers: ["X-Exedev-Authorization: Bearer \(token.reveal())", "X-ExeDev-Email: spoofed@example.com"])
            #expect(viaExeDev.status == 200)
            let seen = Self.seen(viaExeDev)
            #expect(seen["HTTP_X_EXEDEV_EMAIL"] == email)
            #expect(seen["HTTP_X_EXEDEV_USERID"]?.hasPrefix("usr") == true)
            #expect(seen["HTTP_X_EXEDEV_AUTHORIZATION"] == nil)
            #expect(seen["HTTP_X_FORWARDED_HOST"] == "token-one.exe-sim.localhost")
            #expect(seen["HTTP_X_FORWARDED_PROTO"] == "http")
            #expect(seen["HTTP_X_FORWARDED_FOR"] == "127.0.0.1")
            #expect(!viaExeDev.body.contains(token.reveal()))

            let viaAuthorization = try await sim.harness.fetch(url + "/cgi-bin/env", headers: ["Authorization: Bearer \(token.reveal())"])
            #expect(viaAuthorization.status == 200)
            #expect(Self.seen(viaAuthorization)["HTTP_X_EXEDEV_EMAIL"] == email)
            #expect(!viaAuthorization.body.contains(token.reveal()))

            let viaBasic = try await sim.harness.fetch(url + "/cgi-bin/env", basicPassword: token)
            #expect(viaBasic.status == 200)
            #expect(Self.seen(viaBasic)["HTTP_X_EXEDEV_EMAIL"] == email)
            #expect(!viaBasic.body.contains(token.reveal()))

            // Both headers with one identical value: refused as ambiguous.
            let ambiguous = try await sim.harness.fetch(
                url, headers: ["Authorization: Bearer \(token.reveal())", "X-Exedev-Authorization: Bearer \(token.reveal())"])
            #expect(ambiguous.status == 400)
            #expect(ambiguous.body.hasPrefix("Authorization and X-Exedev-Authorization must not be identical"))

            // The token's namespace is its VM: another VM refuses it.
            #expect(try await sim.harness.fetch(other, headers: ["X-Exedev-Authorization: Bearer \(token.reveal())"]).status == 401)
            // An account-wide key is not a VM token.
            let account = try await sim.harness.mintAPIToken(key: sim.key, label: "account-wide")
            #expect(try await sim.harness.fetch(url, headers: ["X-Exedev-Authorization: Bearer \(account.reveal())"]).status == 401)
            // A revoked key stops working at once.
            _ = try await sim.control("ssh-key remove proxy-token")
            #expect(try await sim.harness.fetch(url, headers: ["X-Exedev-Authorization: Bearer \(token.reveal())"]).status == 401)
            _ = try await sim.control("ssh-key remove account-wide")
            _ = try await sim.control("rm token-one token-two --json")
        }

        @Test func publicVMIsOpenAndIdentityHeadersCannotBeSpoofed() async throws {
            let sim = try sim
            let url = try await echoVM("open-one")
            _ = try await sim.json("share set-public open-one --json")
            let anonymous = try await sim.harness.fetch(
                url + "/cgi-bin/env", headers: ["X-ExeDev-UserID: usr-spoofed", "X-ExeDev-Email: spoofed@example.com", "X-Forwarded-For: 10.9.8.7"])
            #expect(anonymous.status == 200)
            let seen = Self.seen(anonymous)
            #expect(seen["HTTP_X_EXEDEV_USERID"] == nil)
            #expect(seen["HTTP_X_EXEDEV_EMAIL"] == nil)
            #expect(seen["HTTP_X_FORWARDED_FOR"] == "10.9.8.7, 127.0.0.1")

            // Other ports (3000-9999) are private to the owner even on a public VM.
            let otherPort = try await sim.harness.fetch("http://open-one.exe-sim.localhost:3456/")
            #expect(otherPort.status == 307)
            let token = try await sim.harness.mintVMToken(key: sim.key, vm: "open-one", label: "open-port")
            let withToken = try await sim.harness.fetch("http://open-one.exe-sim.localhost:3456/", headers: ["X-Exedev-Authorization: Bearer \(token.reveal())"])
            #expect(withToken.status == 503 && withToken.body.contains("nothing serves port 3456"))
            // The VM's own port (8080) under its number is its route.
            #expect(try await sim.harness.fetch("http://open-one.exe-sim.localhost:8080/").body == "echo page\n")
            _ = try await sim.control("ssh-key remove open-port")
            _ = try await sim.control("rm open-one --json")
        }

        @Test func shareLinkTokensAreStrippedBeforeTheApp() async throws {
            let sim = try sim
            let url = try await echoVM("linked-one")
            let link = try await sim.json("share add-link linked-one --json")
            let token = try #require(link["token"] as? String)
            // Private and anonymous: the link still leads to the login first (sharing.md: "log in").
            let anonymous = try await sim.harness.fetch(url + "/cgi-bin/env?share=\(token)")
            #expect(anonymous.status == 307)
            #expect(anonymous.headers["location"]?.contains("redirect=%2Fcgi-bin%2Fenv%3Fshare%3D\(token)") == true)
            // Public: a valid token is removed by a 302 to the clean URL (stripShareParam).
            _ = try await sim.json("share set-public linked-one --json")
            let stripped = try await sim.harness.fetch(url + "/cgi-bin/env?share=\(token)&b=2&a=1")
            #expect(stripped.status == 302)
            #expect(stripped.headers["location"] == "/cgi-bin/env?a=1&b=2")
            #expect(stripped.headers["referrer-policy"] == "no-referrer")
            // A POST is forwarded with the token removed from its query.
            let posted = try await sim.harness.fetch(url + "/cgi-bin/env?share=\(token)&b=2", method: "POST", body: "x")
            #expect(posted.status == 200)
            #expect(Self.seen(posted)["QUERY_STRING"] == "b=2")
            // An unknown token is the app's business.
            let unknown = try await sim.harness.fetch(url + "/cgi-bin/env?share=nope")
            #expect(unknown.status == 200 && Self.seen(unknown)["QUERY_STRING"] == "share=nope")
            _ = try await sim.control("rm linked-one --json")
        }
    }
}
