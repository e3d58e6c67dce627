import ExeSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Only loopback names and numeric addresses: a test never asks a real DNS
/// server (the unanswered lookup is `NameLookupDeadlineTests`, in a network
/// namespace of its own).
@Suite("Host name resolution")
struct HostNameResolverTests {
    @Test("numeric IPv4 and IPv6 addresses resolve to themselves with their family and port")
    func numeric() throws {
        let deadline = ContinuousClock.now + .seconds(5)
        let v4 = try HostNameResolver.resolve(host: "127.0.0.1", port: 2222, deadline: deadline)
        #expect(v4.map(\.family) == [AF_INET])
        let port = v4[0].withSocketAddress { pointer, _ in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        #expect(port == 2222)
        let v6 = try HostNameResolver.resolve(host: "::1", port: 22, deadline: deadline)
        #expect(v6.map(\.family) == [AF_INET6])
    }

    @Test("a numeric address needs no lookup, so a deadline already past does not stop it")
    func pastDeadline() throws {
        let past = ContinuousClock.now - .seconds(1)
        #expect(try HostNameResolver.resolve(host: "127.0.0.1", port: 80, deadline: past).count == 1)
    }
}
