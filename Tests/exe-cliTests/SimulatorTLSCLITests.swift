import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// `/exec` and VM URLs over TLS, as exe.dev serves them (docs
/// `https-api.md`: `https://exe.dev/exec`; `https-api-run-on-vm.md`: the
/// exit status in the `X-Exe-Exit` trailer; `proxy.md`:
/// `https://<vm>.exe.xyz/`), against `exe-sim up --tls`: stunnel4 with a CA
/// the simulator made, and exe-cli's OpenSSL client (`--cacert`, `EXE_CA_FILE`).
@Suite(.cliSimulatorWithTLS, .serialized, .timeLimit(.minutes(4)))
struct SimulatorTLSCLITests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulatorWithTLS trait") } }

    /// The port of the TLS terminator.
    func tlsPort(_ sim: CLISimulator) throws -> Int {
        let proxy = try #require(sim.harness.tlsVMProxy, "exe-sim up --tls printed no EXE_VM_PROXY_TLS")
        return try #require(NetworkAddress(parsing: proxy)).port
    }

    @Test("https-api.md over TLS: vm ls --json with --cacert (and EXE_CA_FILE, and by the name localhost) works")
    func listOverTLS() async throws {
        let sim = try sim
        let ca = try #require(sim.harness.caFile)
        let url = try #require(sim.harness.tlsAPIURL)
        #expect(url.hasPrefix("https://127.0.0.1:"))
        let https = ["EXE_TRANSPORT": "https", "EXE_API_URL": url]
        let listed = try await sim.run(["vm", "ls", "--transport", "https", "--cacert", ca, "--json"], extra: https)
        #expect(listed.status == 0, "\(listed.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])
        #expect(list["vms"] as? [Any] != nil)

        let byVariable = try await sim.run(["vm", "ls", "--json"], extra: https.merging(["EXE_CA_FILE": ca]) { $1 })
        #expect(byVariable.status == 0, "\(byVariable.stderr)")
        let byName = try await sim.run(
            ["vm", "ls", "--json"], extra: ["EXE_TRANSPORT": "https", "EXE_API_URL": "https://localhost:\(try tlsPort(sim))/exec", "EXE_CA_FILE": ca])
        #expect(byName.status == 0, "\(byName.stderr)")
    }

    @Test("without the simulator's CA the certificate is refused: exit 4, the host named, the token never printed")
    func untrustedCertificate() async throws {
        let sim = try sim
        let url = try #require(sim.harness.tlsAPIURL)
        let token = "exe1.not-a-real-token-but-secret"
        let refused = try await sim.run(["vm", "ls"], extra: ["EXE_TRANSPORT": "https", "EXE_API_URL": url, "EXE_API_TOKEN": token])
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("127.0.0.1") && refused.stderr.contains("not trusted"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--cacert"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(token) && !refused.stdout.contains(token))

        let missing = try await sim.run(["vm", "ls", "--cacert", sim.home.file("no-such-ca.pem")], extra: ["EXE_TRANSPORT": "https", "EXE_API_URL": url])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the CA file"), "\(missing.stderr)")
    }

    @Test("a certificate that does not name the host is refused, even from the trusted CA")
    func wrongHostName() async throws {
        let sim = try sim
        let ca = try #require(sim.harness.caFile)
        let proxyText = try #require(sim.harness.tlsVMProxy)
        let proxy = try #require(NetworkAddress(parsing: proxyText))
        let client = HTTPClient(trust: .certificateFile(ca), connectTo: proxy)
        let request = HTTPRequest(method: "GET", url: URL(string: "https://exe-sim.example/")!)
        do {
            _ = try await client.send(request, timeout: .seconds(20))
            Issue.record("a certificate for *.exe-sim.localhost was accepted for exe-sim.example")
        } catch {
            #expect(error.kind == .certificateRejected)
            #expect(error.message.contains("does not name exe-sim.example"), "\(error.message)")
        }
        // The same connection with a name the certificate carries passes.
        let named = HTTPRequest(method: "GET", url: URL(string: "https://exe-sim.localhost/")!)
        let answer = try await client.send(named, timeout: .seconds(20))
        #expect(answer.status > 0)
    }

    @Test("https-api-run-on-vm.md over TLS: vm exec streams output and passes the exit code from the X-Exe-Exit trailer")
    func execOverTLS() async throws {
        let sim = try sim
        let ca = try #require(sim.harness.caFile)
        let url = try #require(sim.harness.tlsAPIURL)
        let created = try await sim.run(["vm", "new", "--name", "tls-box", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        defer { Task { _ = try? await sim.run(["vm", "rm", "tls-box"]) } }
        let https = ["EXE_TRANSPORT": "https", "EXE_API_URL": url, "EXE_CA_FILE": ca]
        let exec = try await sim.run(["vm", "exec", "tls-box", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], extra: https)
        #expect(exec.status == 3, "\(exec.stderr)")
        #expect(exec.stdout == "out\nerr\n")
        let big = try await sim.run(["vm", "exec", "tls-box", "--", "head -c 300000 /dev/zero | tr '\\0' x; exit 0"], extra: https)
        #expect(big.status == 0, "\(big.stderr)")
        #expect(big.stdout.utf8.count == 300_000 && big.stdout.allSatisfy { $0 == "x" })
        let untrusted = try await sim.run(["vm", "exec", "tls-box", "--", "true"], extra: https.merging(["EXE_CA_FILE": ""]) { $1 })
        #expect(untrusted.status == 4 && untrusted.stderr.contains("not trusted"), "\(untrusted.stderr)")
    }

    @Test("HTTPS_PROXY: /exec, vm exec and the health probe tunnel through a CONNECT proxy with its credentials; loopback goes direct; a refusing proxy is exit 5 naming it, never its password; an unsupported proxy is exit 2")
    func throughAProxy() async throws {
        let sim = try sim
        let ca = try #require(sim.harness.caFile)
        // The proxy alone knows where exe-sim.localhost:443 is (nothing resolves it): a request that arrives went through it.
        let proxy = ConnectProxy(
            routes: ["exe-sim.localhost:443": try tlsPort(sim), "tls-proxied.exe-sim.localhost:443": try tlsPort(sim)],
            requiredAuthorization: "Basic " + Data("ada:pa ss".utf8).base64EncodedString())
        defer { proxy.stop() }
        let base = ["EXE_TRANSPORT": "https", "EXE_API_URL": "https://exe-sim.localhost/exec", "EXE_CA_FILE": ca]
        let proxied = base.merging(["HTTPS_PROXY": "http://ada:pa%20ss@127.0.0.1:\(proxy.port)"]) { $1 }

        let listed = try await sim.run(["vm", "ls", "--json"], extra: proxied)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(proxy.requestHeads.first?.hasPrefix("CONNECT exe-sim.localhost:443 HTTP/1.1\r\nHost: exe-sim.localhost:443\r\n") == true, "\(proxy.requestHeads)")

        let created = try await sim.run(["vm", "new", "--name", "tls-proxied", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        defer { Task { _ = try? await sim.run(["vm", "rm", "tls-proxied"]) } }
        let exec = try await sim.run(["vm", "exec", "tls-proxied", "--", "sh", "-c", "echo through; exit 4"], extra: proxied)
        #expect(exec.status == 4, "\(exec.stderr)")
        #expect(exec.stdout == "through\n")

        // The health probe reads the same variables (lowercase first, as curl does).
        let heads = proxy.requestHeads.count
        let probe = HTTPClientProbe(
            trust: .certificateFile(ca), proxyEnvironment: ["https_proxy": proxied["HTTPS_PROXY"]!, "HTTPS_PROXY": "http://127.0.0.1:1"])
        let answer = try await probe.get(URL(string: "https://tls-proxied.exe-sim.localhost/")!, headers: [:], timeout: .seconds(20))
        #expect(answer.status > 0)
        #expect(proxy.requestHeads.count == heads + 1)
        #expect(proxy.requestHeads.last?.hasPrefix("CONNECT tls-proxied.exe-sim.localhost:443 ") == true)

        let refused = try await sim.run(["vm", "ls"], extra: base.merging(["https_proxy": "http://ada:wrong-secret@127.0.0.1:\(proxy.port)"]) { $1 })
        #expect(refused.status == 5, "\(refused.stderr)")
        #expect(refused.stderr.contains("the proxy 127.0.0.1:\(proxy.port) refused a tunnel to exe-sim.localhost:443: 407"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wrong-secret") && !refused.stdout.contains("wrong-secret"))

        // A loopback URL never goes through a proxy (here one that accepts nothing).
        let direct = try await sim.run(
            ["vm", "ls", "--json"],
            extra: ["EXE_TRANSPORT": "https", "EXE_API_URL": try #require(sim.harness.tlsAPIURL), "EXE_CA_FILE": ca, "HTTPS_PROXY": "http://127.0.0.1:1"])
        #expect(direct.status == 0, "\(direct.stderr)")

        let unsupported = try await sim.run(["vm", "ls"], extra: base.merging(["HTTPS_PROXY": "socks5://ada:pw-secret@127.0.0.1:1080"]) { $1 })
        #expect(unsupported.status == 2, "\(unsupported.stderr)")
        #expect(unsupported.stderr.contains("HTTPS_PROXY names a socks5:// proxy"), "\(unsupported.stderr)")
        #expect(!unsupported.stderr.contains("pw-secret"))
    }

    @Test("proxy.md over TLS: the health probe reaches a VM URL through the TLS terminator and gets the same answer as over HTTP")
    func healthProbeOverTLS() async throws {
        let sim = try sim
        let ca = try #require(sim.harness.caFile)
        let created = try await sim.run(["vm", "new", "--name", "tls-web", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        defer { Task { _ = try? await sim.run(["vm", "rm", "tls-web"]) } }
        let plain = try await HTTPClientProbe(connectTo: sim.harness.vmProxy).get(
            URL(string: "http://tls-web.exe-sim.localhost/")!, headers: [:], timeout: .seconds(20))
        let secure = try await HTTPClientProbe(connectTo: sim.harness.tlsVMProxy, trust: .certificateFile(ca)).get(
            URL(string: "https://tls-web.exe-sim.localhost/")!, headers: [:], timeout: .seconds(20))
        #expect(secure.status == plain.status && secure.status > 0, "\(secure.status) \(secure.bodyPrefix) / \(plain.status)")
        // bestScheme (execore/exe.go): https_url is https:// when TLS is served,
        // and the EXE_VM_PROXY that `up --tls` prints reaches it with the CA.
        let object = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let url = try #require(object?["https_url"] as? String, "\(created.stdout)")
        #expect(url == "https://tls-web.exe-sim.localhost", "\(created.stdout)")
        #expect(sim.harness.printedVMProxy == sim.harness.tlsVMProxy)
        let printed = try await HTTPClientProbe(connectTo: sim.harness.printedVMProxy, trust: .certificateFile(ca)).get(
            try #require(URL(string: url + "/")), headers: [:], timeout: .seconds(20))
        #expect(printed.status == plain.status, "\(printed.status) \(printed.bodyPrefix)")
        await #expect(throws: NetworkError.self) {
            _ = try await HTTPClientProbe(connectTo: sim.harness.tlsVMProxy).get(
                URL(string: "https://tls-web.exe-sim.localhost/")!, headers: [:], timeout: .seconds(20))
        }
    }

    @Test("the registry relay's upstream over TLS (exeweb/proxy.go GetProxyAuth): the token passes the proxy as over plain HTTP; an untrusted certificate is a 502 naming the reason")
    func registryRelayOverTLS() async throws {
        let sim = try sim
        let ca = try #require(sim.harness.caFile)
        let proxyText = try #require(sim.harness.tlsVMProxy)
        let proxy = try #require(NetworkAddress(parsing: proxyText))
        let created = try await sim.run(["vm", "new", "--name", "tls-reg", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        defer { Task { _ = try? await sim.run(["vm", "rm", "tls-reg"]) } }
        let minted = try await sim.run(["token", "mint", "--vm", "tls-reg", "--exp", "1h"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let token = Secret(minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let host = "tls-reg.exe-sim.localhost"

        // Anonymous, the proxy sends the client to the login (RedirectToAuth).
        let anonymous = try await HTTPClient(trust: .certificateFile(ca), connectTo: proxy).send(
            HTTPRequest(method: "GET", url: URL(string: "https://\(host)/v2/")!), timeout: .seconds(20))
        #expect(anonymous.status == 307, "\(anonymous.status)")

        func viaRelay(_ relay: ExeRegistryRelay) async throws -> HTTPResponse {
            defer { relay.stop() }
            return try await HTTPClient().send(
                HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(relay.port)/v2/")!), timeout: .seconds(30))
        }
        let plain = try await viaRelay(try ExeRegistryRelay(registryHost: host, upstream: sim.harness.vmProxy, token: token))
        let secure = try await viaRelay(
            try ExeRegistryRelay(registryHost: host, upstream: .tls(connectTo: proxy, trust: .certificateFile(ca)), token: token))
        #expect(plain.status != 307 && secure.status == plain.status, "\(secure.status) / \(plain.status)")
        #expect(secure.body == plain.body)

        let untrusted = try await viaRelay(try ExeRegistryRelay(registryHost: host, upstream: .tls(connectTo: proxy, trust: .systemStore), token: token))
        let reason = String(decoding: untrusted.body, as: UTF8.self)
        #expect(untrusted.status == 502 && reason.contains("not trusted") && !reason.contains(token.reveal()), "\(untrusted.status) \(reason)")

        #expect(throws: ExeRegistryRelayError.notLoopback("192.0.2.1:80")) {
            try ExeRegistryRelay(registryHost: host, upstream: "192.0.2.1:80", token: token)
        }
    }
}
