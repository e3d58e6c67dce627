import Foundation
import Synchronization

/// A TCP relay on 127.0.0.1 in front of another loopback port that delays
/// every chunk by `delay` in each direction, so a connection through it has
/// a round-trip time of about 2 × `delay` (what a faraway server costs).
///
/// It also counts what crosses it: connections accepted, and "flights",
/// the times the direction of traffic on a connection turned (a request
/// after a response or the other way round), which on a fresh connection
/// is the number of round trips a protocol exchange needs. ``dropAll()``
/// cuts every relayed connection (a network failure or a server restart,
/// seen from the client).
///
/// Each direction of each connection has a reader thread (which stamps
/// chunks with their due time) and a writer thread (which sends them when
/// due), so throughput is not limited by the delay.
public final class DelayProxy: @unchecked Sendable {
    /// The port clients connect to.
    public let port: Int
    /// Where the traffic goes.
    public let upstreamPort: Int
    /// The one-way delay.
    public let delay: Duration
    private let listener: Int32
    private struct Counters {
        var connections = 0
        var flights: [Int] = []
        var sockets: Set<Int32> = []
        var stopped = false
    }
    private let counters = Mutex(Counters())

    /// Starts relaying 127.0.0.1:<free port> to 127.0.0.1:`upstreamPort`.
    public init(upstreamPort: Int, delay: Duration) {
        self.upstreamPort = upstreamPort
        self.delay = delay
        let (fd, port) = LoopbackPort.listeningSocket(backlog: 128)
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Connections accepted so far.
    public var connectionsAccepted: Int { counters.withLock { $0.connections } }

    /// For each connection accepted, in order: how often its traffic changed direction.
    public var flightsPerConnection: [Int] { counters.withLock { $0.flights } }

    /// Cuts every connection relayed so far (new ones are still accepted).
    public func dropAll() {
        let sockets = counters.withLock { $0.sockets }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Stops accepting and cuts every connection.
    public func stop() {
        counters.withLock { $0.stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        dropAll()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            if counters.withLock({ $0.stopped }) {
                close(client)
                return
            }
            guard let upstream = LoopbackPort.connectedSocket(port: upstreamPort) else {
                close(client)
                continue
            }
            var one: Int32 = 1
            for fd in [client, upstream] { setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
            let index = counters.withLock { counters -> Int in
                counters.connections += 1
                counters.flights.append(0)
                counters.sockets.formUnion([client, upstream])
                return counters.flights.count - 1
            }
            let connection = RelayedPair(client: client, upstream: upstream) { [self] direction in
                counters.withLock { $0.flights[index] += 1 }
                _ = direction
            } onClose: { [self] in
                counters.withLock { $0.sockets.subtract([client, upstream]) }
            }
            connection.start(delay: delay)
        }
    }
}

/// One relayed connection: two directions, each a reader and a writer thread.
private final class RelayedPair: @unchecked Sendable {
    let client: Int32
    let upstream: Int32
    private let lock = NSLock()
    private var lastDirection = -1
    private var openHalves = 4
    private let onTurn: @Sendable (Int) -> Void
    private let onClose: @Sendable () -> Void

    init(client: Int32, upstream: Int32, onTurn: @escaping @Sendable (Int) -> Void, onClose: @escaping @Sendable () -> Void) {
        self.client = client
        self.upstream = upstream
        self.onTurn = onTurn
        self.onClose = onClose
    }

    func start(delay: Duration) {
        relay(from: client, to: upstream, direction: 0, delay: delay)
        relay(from: upstream, to: client, direction: 1, delay: delay)
    }

    private func noteTraffic(_ direction: Int) {
        let turned = lock.withLock { () -> Bool in
            defer { lastDirection = direction }
            return lastDirection != direction
        }
        if turned { onTurn(direction) }
    }

    private func finishedHalf() {
        let last = lock.withLock { () -> Bool in
            openHalves -= 1
            return openHalves == 0
        }
        if last {
            onClose()
            close(client)
            close(upstream)
        }
    }

    private func relay(from source: Int32, to target: Int32, direction: Int, delay: Duration) {
        let queue = DelayedChunks()
        let reader = Thread { [self] in
            defer { finishedHalf() }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(source, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count <= 0 {
                    queue.push(nil, due: .now + delay)
                    return
                }
                noteTraffic(direction)
                queue.push(Data(buffer[0..<count]), due: .now + delay)
            }
        }
        let writer = Thread { [self] in
            defer { finishedHalf() }
            while let chunk = queue.pop() {
                var offset = 0
                while offset < chunk.count {
                    let written = chunk.withUnsafeBytes { send(target, $0.baseAddress! + offset, chunk.count - offset, Int32(MSG_NOSIGNAL)) }
                    if written < 0, errno == EINTR { continue }
                    if written <= 0 {
                        shutdown(source, Int32(SHUT_RDWR))
                        return
                    }
                    offset += written
                }
            }
            shutdown(target, Int32(SHUT_WR))
        }
        reader.start()
        writer.start()
    }
}

/// Chunks waiting for their due time; `nil` marks the end.
private final class DelayedChunks: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Data?, ContinuousClock.Instant)] = []

    func push(_ data: Data?, due: ContinuousClock.Instant) {
        condition.lock()
        items.append((data, due))
        condition.signal()
        condition.unlock()
    }

    /// The next chunk once it is due; `nil` at the end.
    func pop() -> Data? {
        condition.lock()
        while items.isEmpty { condition.wait() }
        let (data, due) = items.removeFirst()
        condition.unlock()
        let wait = due - .now
        if wait > .zero {
            let nanos = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
            var spec = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&spec, &remaining) != 0, errno == EINTR { spec = remaining }
        }
        return data
    }
}
