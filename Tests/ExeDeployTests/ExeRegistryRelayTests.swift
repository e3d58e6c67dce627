import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// The registry relay in front of a VM's registry, with real clients: curl
/// for the TLS attempt registry clients make first, busybox httpd as the
/// upstream proxy.
@Suite("The exe-hosted registry's loopback relay")
struct ExeRegistryRelayTests {
    /// buildah, podman and docker with `--tls-verify=false` try HTTPS first
    /// and fall back to HTTP when that fails (containers/image
    /// `docker_client.go`, `detectPropertiesHelper`). A relay that waited
    /// for a request head after a ClientHello held every push for Go's
    /// 10-second TLS handshake timeout, twice per deploy.
    @Test("a TLS ClientHello is refused at once with a plain-text 400; plain HTTP then goes through to the upstream")
    func refusesTLSAtOnce() async throws {
        let scratch = try TemporaryDirectory(prefix: "exe-relay")
        defer { scratch.remove() }
        let root = scratch.file("www")
        try FileManager.default.createDirectory(atPath: root + "/v2", withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: root + "/v2/index.html"))
        let port = LoopbackPort.free()
        let upstream = try ChildProcess.spawn(
            "/bin/busybox", ["httpd", "-f", "-p", "127.0.0.1:\(port)", "-h", root], stdout: .null, stderr: .null)
        defer { upstream.terminate() }
        try LoopbackPort.waitUntilListening(port)

        let relay = try ExeRegistryRelay(
            registryHost: "reg.exe-sim.localhost", upstream: "127.0.0.1:\(port)", token: Secret("exe0.relay-test-token"))
        defer { relay.stop() }

        let clock = ContinuousClock()
        let started = clock.now
        let tls = try await LocalProcessRunner().run(ProcessInvocation(
            "curl", ["-sk", "--max-time", "8", "-o", "/dev/null", "https://127.0.0.1:\(relay.port)/v2/"], timeout: .seconds(20)))
        let elapsed = clock.now - started
        // 35: the TLS handshake failed; 28 would be curl's own timeout.
        #expect(tls.status == 35, "curl over TLS: exit \(tls.status) \(tls.stderr)")
        // The refusal is immediate; the bound leaves room for a loaded
        // machine and stays below curl's own 8 s, which a silent relay hit.
        #expect(elapsed < .seconds(6), "the TLS attempt took \(elapsed)")

        let raw = try await LocalProcessRunner().run(ProcessInvocation(
            "curl", ["-s", "--max-time", "8", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(relay.port)/v2/"],
            timeout: .seconds(20)))
        #expect(raw.stdout == "200", "plain HTTP after the refused TLS attempt: \(raw.stdout) \(raw.stderr)")
    }

    @Test("bytes that cannot begin an HTTP request get the 400 and its reason, not silence")
    func answersGarbage() throws {
        let relay = try ExeRegistryRelay(registryHost: "reg.exe-sim.localhost", upstream: "127.0.0.1:9", token: Secret("exe0.t"))
        defer { relay.stop() }
        let fd = try #require(LoopbackPort.connectedSocket(port: relay.port))
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]
        #expect(send(fd, hello, hello.count, Int32(MSG_NOSIGNAL)) == hello.count)
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(text)")
        #expect(text.hasSuffix("plain HTTP on loopback\n"), "\(text)")
    }
}
