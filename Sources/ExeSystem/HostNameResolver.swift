public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One address a host name resolved to, ready for `socket(2)` and
/// `connect(2)`.
public struct ResolvedSocketAddress: Sendable, Equatable {
    /// `AF_INET` or `AF_INET6`.
    public let family: Int32
    /// `SOCK_STREAM`.
    public let socketType: Int32
    /// The protocol number for `socket(2)`.
    public let protocolNumber: Int32
    /// The `sockaddr` bytes.
    public let bytes: [UInt8]

    /// Calls `body` with the address as `connect(2)` takes it.
    public func withSocketAddress<Value, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let outcome: Result<Value, Failure> = bytes.withUnsafeBytes { raw in
            do throws(Failure) {
                return .success(try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count)))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}

/// Resolves a host name under a deadline.
///
/// `getaddrinfo(3)` blocks for as long as the system's resolver
/// configuration says (five seconds per try and server by default, so half a
/// minute against an unanswering DNS server), and cannot be cancelled. The
/// lookup runs on a thread of its own; a caller whose deadline passes first
/// gets ``NetworkError/Kind/timedOut`` at once, and the thread finishes (and
/// frees its result) on its own later.
public enum HostNameResolver {
    /// The stream-socket addresses of `host` for `port`, in the resolver's
    /// order.
    ///
    /// - Throws: ``NetworkError/Kind/connectFailed`` when the name does not
    ///   resolve (with the resolver's reason), ``NetworkError/Kind/timedOut``
    ///   when `deadline` passes first.
    public static func resolve(host: String, port: Int, deadline: ContinuousClock.Instant) throws(NetworkError) -> [ResolvedSocketAddress] {
        // A numeric address needs no lookup and no thread.
        if case .success(let addresses) = lookUp(host: host, port: port, flags: AI_NUMERICSERV | AI_NUMERICHOST) {
            return addresses
        }
        let lookup = PendingLookup()
        let thread = Thread {
            lookup.finish(lookUp(host: host, port: port, flags: AI_NUMERICSERV))
        }
        thread.name = "exe-resolve"
        thread.stackSize = 1 << 20
        thread.start()
        let remaining = deadline - .now
        let seconds = remaining.inSeconds
        switch lookup.wait(until: Date().addingTimeInterval(max(0, seconds))) {
        case .success(let addresses): return addresses
        case .failure(let error): throw error
        case nil:
            let limit = seconds >= 1 ? String(format: "%.0f s", seconds) : String(format: "%.0f ms", max(0, seconds) * 1000)
            throw NetworkError(.timedOut, "looking up \(host) took longer than \(limit) (is a DNS server configured and answering?)")
        }
    }

    private static func lookUp(host: String, port: Int, flags: Int32) -> Result<[ResolvedSocketAddress], NetworkError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = flags
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(NetworkError(.connectFailed, "cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [ResolvedSocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: address, count: Int(current.pointee.ai_addrlen)))
            addresses.append(ResolvedSocketAddress(
                family: current.pointee.ai_family, socketType: current.pointee.ai_socktype,
                protocolNumber: current.pointee.ai_protocol, bytes: bytes))
        }
        guard !addresses.isEmpty else { return .failure(NetworkError(.connectFailed, "\(host) has no address to connect to")) }
        return .success(addresses)
    }
}

/// The result of a lookup running on another thread, which the caller may
/// stop waiting for.
private final class PendingLookup: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<[ResolvedSocketAddress], NetworkError>?

    func finish(_ result: Result<[ResolvedSocketAddress], NetworkError>) {
        condition.lock()
        self.result = result
        condition.broadcast()
        condition.unlock()
    }

    /// The result, or `nil` when `limit` passed first.
    func wait(until limit: Date) -> Result<[ResolvedSocketAddress], NetworkError>? {
        condition.lock()
        defer { condition.unlock() }
        while result == nil {
            if !condition.wait(until: limit) { return result }
        }
        return result
    }
}
