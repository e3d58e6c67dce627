import ExeSystem
import Testing

/// One loopback check decides where a plain-HTTP API token may go
/// (HTTPSControlTransport) and which hosts skip a proxy (HTTPProxy).
@Suite struct LoopbackHostTests {
    @Test("loopback in every spelling: localhost, 127.0.0.0/8, ::1 written out, IPv4-mapped, brackets and case")
    func loopbackSpellings() {
        for host in ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.255.3.4", "::1", "[::1]", "0:0:0:0:0:0:0:1", "[0::1]", "::ffff:127.0.0.1"] {
            #expect(LoopbackHost.contains(host), "\(host)")
        }
    }

    @Test("names and addresses that only look like loopback are not")
    func lookalikes() {
        for host in ["127.0.0.1.example.com", "localhost.example.com", "128.0.0.1", "0.0.0.0", "::", "::2", "::ffff:10.0.0.1", "127.1", "1.127.0.0", "", "[127.0.0.1", "exe.dev"] {
            #expect(!LoopbackHost.contains(host), "\(host)")
        }
    }
}
