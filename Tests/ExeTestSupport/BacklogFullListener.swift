import Foundation

/// A TCP listener on 127.0.0.1 that never accepts, with its accept queue
/// filled by connections of its own: the kernel drops further SYNs, so a
/// new `connect` neither succeeds nor fails. A host that swallows packets,
/// on loopback.
public final class BacklogFullListener: @unchecked Sendable {
    /// The listening port.
    public let port: Int
    /// Whether a probe connection stayed unanswered (the queue is full).
    public private(set) var isFull = false
    private let fd: Int32
    private var fillers: [Int32] = []

    /// Listens with a backlog of 0 and connects to itself until a
    /// connection attempt goes unanswered.
    public init() throws {
        (fd, port) = LoopbackPort.listeningSocket(backlog: 0)
        var address = LoopbackPort.address(port: port)
        for _ in 0..<16 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            fillers.append(filler)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var descriptor = pollfd(fd: filler, events: Int16(POLLOUT), revents: 0)
            if poll(&descriptor, 1, 300) == 0 {
                isFull = true
                break
            }
        }
    }

    /// Closes the listener and its own connections.
    public func close() {
        for filler in fillers { Glibc.close(filler) }
        Glibc.close(fd)
    }
}
