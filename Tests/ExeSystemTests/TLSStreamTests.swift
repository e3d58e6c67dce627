import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// ``TLSStream`` against a real TLS server from Debian (`openssl s_server
/// -www`), with a CA and a certificate made by the `openssl` CLI: the chain
/// checked against the given CA only, the name (a DNS name or an IP
/// address) checked too.
@Suite("TLS client against openssl s_server", .serialized)
struct TLSStreamTests {
    /// A CA, a server certificate for `tls-test.localhost` and `127.0.0.1`,
    /// and `openssl s_server` serving it on a free loopback port.
    final class Server: @unchecked Sendable {
        let directory: TemporaryDirectory
        let port: Int
        let server: ChildProcess
        var caFile: String { directory.file("ca.crt") }

        init() async throws {
            directory = try TemporaryDirectory(prefix: "exe-tls")
            let runner = LocalProcessRunner()
            let d = directory
            _ = try d.write("server.ext", "subjectAltName=DNS:tls-test.localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", mode: 0o600)
            let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            for arguments in [
                ["req", "-x509"] + key + ["-keyout", d.file("ca.key"), "-out", d.file("ca.crt"), "-days", "2", "-subj", "/CN=exe test CA"],
                ["req"] + key + ["-keyout", d.file("server.key"), "-out", d.file("server.csr"), "-subj", "/CN=tls-test.localhost"],
                ["x509", "-req", "-in", d.file("server.csr"), "-CA", d.file("ca.crt"), "-CAkey", d.file("ca.key"), "-CAcreateserial",
                 "-out", d.file("server.crt"), "-days", "2", "-extfile", d.file("server.ext")],
            ] {
                let output = try await runner.run(ProcessInvocation("openssl", arguments, environment: ["OPENSSL_CONF": "/dev/null"], timeout: .seconds(60)))
                guard output.status == 0 else { throw POSIXError(.EINVAL) }
            }
            // A free port can be taken before s_server binds it (CI run 26: it
            // exited, and nothing listened for 20 s): then try another.
            var attempt = 0
            while true {
                attempt += 1
                let candidate = LoopbackPort.free()
                let child = try ChildProcess.spawn(
                    "openssl",
                    ["s_server", "-quiet", "-accept", "127.0.0.1:\(candidate)", "-cert", d.file("server.crt"), "-key", d.file("server.key"), "-www"],
                    stdin: .null, stdout: .null, stderr: .null)
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline, child.isRunning, !LoopbackPort.isListening(candidate) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                if child.isRunning, LoopbackPort.isListening(candidate) {
                    port = candidate
                    server = child
                    break
                }
                child.terminate(grace: .milliseconds(500))
                if attempt == 3 { throw POSIXError(.EADDRINUSE) }
            }
        }

        func stop() {
            server.terminate(grace: .milliseconds(500))
            directory.remove()
        }
    }

    func get(_ url: String, trust: TLSTrust, server: Server) async throws(NetworkError) -> HTTPResponse {
        try await HTTPClient(trust: trust, connectTo: NetworkAddress(host: "127.0.0.1", port: server.port)).send(
            HTTPRequest(method: "GET", url: URL(string: url)!), timeout: .seconds(20), maximumBodyBytes: 1 << 20)
    }

    @Test("trusted CA and the right name (DNS or IP) pass; the system store, a wrong name and an unreadable CA file are refused")
    func verification() async throws {
        let server = try await Server()
        defer { server.stop() }
        let trusted = TLSTrust.certificateFile(server.caFile)
        let byName = try await get("https://tls-test.localhost:\(server.port)/", trust: trusted, server: server)
        #expect(byName.status == 200 && String(decoding: byName.body, as: UTF8.self).contains("s_server"))
        let byIP = try await get("https://127.0.0.1:\(server.port)/", trust: trusted, server: server)
        #expect(byIP.status == 200)

        await #expect { try await get("https://tls-test.localhost:\(server.port)/", trust: .systemStore, server: server) } throws: {
            guard let error = $0 as? NetworkError else { return false }
            return error.kind == .certificateRejected && error.message.contains("tls-test.localhost") && error.message.contains("not trusted")
        }
        await #expect { try await get("https://other.localhost:\(server.port)/", trust: trusted, server: server) } throws: {
            guard let error = $0 as? NetworkError else { return false }
            return error.kind == .certificateRejected && error.message.contains("does not name other.localhost")
        }
        await #expect { try await get("https://127.0.0.2:\(server.port)/", trust: trusted, server: server) } throws: {
            ($0 as? NetworkError)?.kind == .certificateRejected
        }
        await #expect {
            try await get("https://tls-test.localhost:\(server.port)/", trust: .certificateFile(server.directory.file("none.pem")), server: server)
        } throws: {
            guard let error = $0 as? NetworkError else { return false }
            return error.kind == .tlsFailed && error.message.contains("none.pem")
        }
    }

    @Test("a plain-TCP server that never answers the handshake times out at the deadline")
    func handshakeDeadline() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let started = ContinuousClock.now
        await #expect {
            try await HTTPClient(trust: .systemStore).send(
                HTTPRequest(method: "GET", url: URL(string: "https://127.0.0.1:\(listener.port)/")!), timeout: .milliseconds(800))
        } throws: { ($0 as? NetworkError)?.kind == .timedOut }
        #expect(ContinuousClock.now - started < .seconds(15), "the 800 ms deadline ended it, not a hang")
    }
}
