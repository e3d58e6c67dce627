@testable import ExeSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The one connect loop under TCPStream and ExeSSH, against real loopback sockets.
@Suite struct TCPConnectTests {
    /// A loopback socket on a free port, listening unless `listening` is
    /// false (then the port refuses connections, and no other process can
    /// take it while the socket is open); closed by the caller.
    func listener(listening: Bool = true) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && (!listening || listen(fd, 4) == 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("a listening port: a connected non-blocking socket with TCP_NODELAY; a bound port nobody listens on: refused, errno by errno")
    func connectsThenRefuses() throws {
        let (listening, port) = try listener()
        let deadline = ContinuousClock.now + .seconds(5)
        let addresses = try HostNameResolver.resolve(host: "127.0.0.1", port: port, deadline: deadline)
        let fd = try TCPConnect.socket(to: addresses, deadline: deadline).get()
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        var noDelay: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &size)
        #expect(noDelay == 1)
        close(fd)
        close(listening)

        // Not the closed port itself: with simulators starting beside this
        // test, another process may listen there by the time it connects.
        let (reserved, silentPort) = try listener(listening: false)
        defer { close(reserved) }
        let silent = try HostNameResolver.resolve(host: "127.0.0.1", port: silentPort, deadline: deadline)
        let refused = TCPConnect.socket(to: silent, deadline: ContinuousClock.now + .seconds(5))
        guard case .failure(let failure) = refused else { Issue.record("connected to a port nobody listens on"); return }
        #expect(failure == .failed(errnos: [ECONNREFUSED]) && failure.isRefused)
        // TCPStream words it as a NetworkError naming the address.
        #expect(throws: NetworkError.self) {
            try TCPStream.connect(to: NetworkAddress(host: "127.0.0.1", port: silentPort), deadline: ContinuousClock.now + .seconds(5))
        }
    }

    @Test("no address at all is a failure with no errno, which counts as refused: nothing listens there")
    func noAddresses() {
        let result = TCPConnect.socket(to: [], deadline: ContinuousClock.now + .seconds(1))
        #expect(result == .failure(.failed(errnos: [])))
        guard case .failure(let failure) = result else { return }
        #expect(failure.isRefused)
    }
}
