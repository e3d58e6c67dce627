import Foundation

/// Free TCP ports on 127.0.0.1, and waiting for a listener.
public enum LoopbackPort {
    /// A port that was free a moment ago (bound with port 0, then released).
    public static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The socket address 127.0.0.1:`port`.
    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// A TCP socket listening on 127.0.0.1 at a free port, with `backlog`.
    public static func listeningSocket(backlog: Int32) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        listen(fd, backlog)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A TCP socket connected to 127.0.0.1:`port` (blocking), or `nil`
    /// when nothing accepts there.
    public static func connectedSocket(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = address(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Waits until `port` accepts connections, or throws after `timeout`.
    public static func waitUntilListening(_ port: Int, timeout: Duration = .seconds(10)) throws {
        let deadline = ContinuousClock.now + timeout
        while !isListening(port) {
            if ContinuousClock.now > deadline {
                throw NSError(domain: "LoopbackPort", code: 1, userInfo: [NSLocalizedDescriptionKey: "nothing listens on 127.0.0.1:\(port) after \(timeout)"])
            }
            usleep(10_000)
        }
    }
}

/// A TCP listener that accepts connections and never says a word: a server
/// that hangs during the SSH handshake.
public final class SilentListener: @unchecked Sendable {
    /// The listening port.
    public let port: Int
    private let fd: Int32

    /// Listens on 127.0.0.1 at a free port.
    public init() throws {
        (fd, port) = LoopbackPort.listeningSocket(backlog: 16)
    }

    /// Stops listening.
    public func close() { Glibc.close(fd) }
}
