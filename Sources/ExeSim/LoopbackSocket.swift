import ExeSystem
package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Blocking TCP sockets on 127.0.0.1 with deadlines, for the daemon's
/// listeners, its proxies and the registry client. Every descriptor is
/// close-on-exec so no child process inherits one.
package enum LoopbackSocket {
    /// A socket call failed.
    package struct Failure: Error, CustomStringConvertible, Sendable {
        /// What failed and why.
        package let description: String
    }

    private static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Listens on 127.0.0.1:`port` (0 picks a free port); returns the
    /// descriptor and the port.
    package static func listen(port: Int) throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        return try listen(port: port, on: fd)
    }

    /// Listens on 127.0.0.1:`port` with the socket `fd` (closed on
    /// failure): a socket made in another network namespace listens there.
    package static func listen(port: Int, on fd: Int32) throws -> (descriptor: Int32, port: Int) {
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = address(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 256) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port that was free a moment ago.
    package static func freePort() -> Int {
        guard let (fd, port) = try? listen(port: 0) else { return 0 }
        close(fd)
        return port
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    package static func isListening(_ port: Int) -> Bool {
        guard let fd = try? connect(port: port, timeout: .milliseconds(500)) else { return false }
        close(fd)
        return true
    }

    /// Waits until `port` accepts connections; `false` after `timeout`.
    /// `isListening` asks (another network namespace's loopback, say).
    package static func waitUntilListening(
        _ port: Int, timeout: Duration, isListening: (Int) -> Bool = LoopbackSocket.isListening
    ) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isListening(port) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Connects to 127.0.0.1:`port`, giving up after `timeout`.
    package static func connect(port: Int, timeout: Duration) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        return try connect(port: port, timeout: timeout, on: fd)
    }

    /// Connects the socket `fd` (closed on failure) to 127.0.0.1:`port`:
    /// a socket made in another network namespace connects there.
    package static func connect(port: Int, timeout: Duration, on fd: Int32) throws -> Int32 {
        setTimeout(fd, timeout)
        var address = address(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port): \(reason)")
        }
        return fd
    }

    /// Sends small writes at once (`TCP_NODELAY`): a relay that lets Nagle
    /// hold back a packet behind the peer's delayed ACK adds up to 40 ms to
    /// each exchange of an SSH handshake.
    package static func sendImmediately(_ fd: Int32) {
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sets the receive and send timeouts of `fd`.
    package static func setTimeout(_ fd: Int32, _ timeout: Duration) {
        let micros = timeout.inMicroseconds
        var value = timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Closes a connection that may still hold unread request bytes (a body
    /// the answer did not need): stops sending, reads what is left for up to
    /// `linger`, then closes. A plain `close` with unread input sends a
    /// reset, and a peer that has not read the answer yet (a TLS terminator
    /// relaying it) can lose it.
    package static func closeGracefully(_ fd: Int32, linger: Duration = .seconds(1)) {
        _ = shutdown(fd, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + linger
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var drained = 0
        while ContinuousClock.now < deadline, drained < 1 << 20 {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0, errno != EINTR { break }
            if ready <= 0 { continue }
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count <= 0 { break }
            drained += count
        }
        close(fd)
    }

    /// Writes all of `data`; `false` if the peer went away.
    @discardableResult
    package static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
