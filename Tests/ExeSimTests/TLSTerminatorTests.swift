import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// `exe-sim up --tls`: exe.dev serves `/exec` and VM URLs over HTTPS only
    /// (docs `https-api.md`: `https://exe.dev/exec`; `proxy.md`), so the
    /// simulator can put stunnel4 with a CA of its own in front of its
    /// daemon. Checked with independent clients: `openssl verify` and `curl`.
    @Suite(.timeLimit(.minutes(4)))
    struct TLSTerminatorTests {
        @Test("up --tls: a CA (keys 0600), stunnel in front of /exec answering as the plain port does, kept on by a later up, stopped by down")
        func tlsTerminator() async throws {
            let harness = try await SimulatorHarness.start(authorizedKeys: [], environment: ["EXE_SIM_CONTAINER_RUNTIME": "none"], tls: true)
            var stopped = false
            defer { if !stopped { Task { try? await harness.stop() } } }
            let runner = LocalProcessRunner()
            let ca = try #require(harness.caFile)
            let url = try #require(harness.tlsAPIURL)
            let proxy = try #require(harness.tlsVMProxy)
            let paths = SimPaths(root: harness.stateDirectory)
            #expect(ca == paths.tlsCACertificate)
            #expect(url == "https://\(proxy)/exec" && proxy.hasPrefix("127.0.0.1:"))
            for key in ["ca.key", "server.key"] {
                let mode = try FileManager.default.attributesOfItem(atPath: paths.tlsDirectory + "/" + key)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(key)")
            }
            let directoryMode = try FileManager.default.attributesOfItem(atPath: paths.tlsDirectory)[.posixPermissions] as? Int
            #expect(directoryMode == 0o700)
            let verified = try await runner.run(ProcessInvocation(
                "openssl", ["verify", "-CAfile", ca, paths.tlsDirectory + "/server.crt"], timeout: .seconds(30)))
            #expect(verified.status == 0 && verified.stdout.contains(": OK"), "\(verified.stdout)\(verified.stderr)")

            // execore/exec_handler.go: no Authorization header is a 401, over TLS as over plain HTTP.
            let curl = ["-s", "-X", "POST", "--data-binary", "whoami", "-w", "\n%{http_code}"]
            let secure = try await runner.run(ProcessInvocation("curl", curl + ["--cacert", ca, url], timeout: .seconds(30)))
            let plain = try await runner.run(ProcessInvocation("curl", curl + [harness.apiURL], timeout: .seconds(30)))
            #expect(secure.status == 0 && secure.stdout == plain.stdout && secure.stdout.hasSuffix("\n401"), "\(secure.stdout) / \(plain.stdout)")
            let byName = try await runner.run(ProcessInvocation(
                "curl", curl + ["--cacert", ca, "--connect-to", "::\(proxy)", "https://some-vm.exe-sim.localhost/exec"], timeout: .seconds(30)))
            #expect(byName.status == 0, "\(byName.stderr)")
            let untrusted = try await runner.run(ProcessInvocation("curl", curl + [url], timeout: .seconds(30)))
            #expect(untrusted.status == 60, "curl without the CA: \(untrusted.status)")

            let again = try await runner.run(ProcessInvocation(harness.executable, ["up", "--state", harness.stateDirectory], timeout: .seconds(60)))
            #expect(again.status == 0)
            let exports = SimulatorHarness.parseExports(again.stdout)
            #expect(exports["EXE_API_URL_TLS"] == url && exports["EXE_CA_FILE"] == ca && exports["EXE_VM_PROXY_TLS"] == proxy)
            let status = try await runner.run(ProcessInvocation(harness.executable, ["status", "--state", harness.stateDirectory], timeout: .seconds(60)))
            #expect(status.status == 0 && status.stdout.contains("tls: running"), "\(status.stdout)")

            let pid = try #require(ProcessTree.readPID(paths.tlsDirectory + "/stunnel.pid"))
            #expect(ProcessTree.isAlive(pid))
            let port = try #require(NetworkAddress(parsing: proxy)).port
            try await harness.stop()
            stopped = true
            #expect(!ProcessTree.isAlive(pid) && !LoopbackSocket.isListening(port))
        }
    }
}
