public import ExeSystem
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What a ``RequestLoop`` saw.
public struct RequestLoopReport: Sendable, CustomStringConvertible {
    /// One request that did not get a 2xx answer.
    public struct Failure: Sendable {
        /// When it was sent, from the loop's start.
        public var at: Duration
        /// The status, or why there was none.
        public var reason: String
    }

    /// Requests sent.
    public var sent = 0
    /// Requests answered with a 2xx status.
    public var succeeded = 0
    /// Every failed request (non-2xx or no answer).
    public var failures: [Failure] = []
    /// The longest time between two successful answers (or from the start to
    /// the first one): how long the app looked down to a client.
    public var longestGap: Duration = .zero
    /// How long the loop ran.
    public var elapsed: Duration = .zero
    /// Bodies of successful answers, in order, each once when it changes
    /// (which release answered, and when it switched).
    public var bodies: [String] = []

    /// Failed requests.
    public var failed: Int { failures.count }

    public var description: String {
        var text = "\(sent) sent, \(failed) failed, longest gap \(Self.milliseconds(longestGap)) ms over \(Self.milliseconds(elapsed)) ms"
        if let first = failures.first {
            text += "; first failure at \(Self.milliseconds(first.at)) ms: \(first.reason)"
        }
        return text
    }

    /// `duration` in whole milliseconds.
    public static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// A bounded request loop against a URL on this machine: one `GET` every
/// `interval`, one at a time, until ``stop()`` or until `maxRequests` or
/// `maxDuration` is reached, whichever comes first. It records every
/// failure (non-2xx status or no answer) and the longest gap between two
/// successful answers.
///
/// Loopback only: the loop connects to `connectTo` (`HOST:PORT`, e.g.
/// `EXE_VM_PROXY`) and sends the URL's host in `Host`, like `curl
/// --connect-to`; a `connectTo` that is not a loopback address is refused
/// before anything is sent.
public final class RequestLoop: Sendable {
    private let task: Task<RequestLoopReport, Never>
    private let stopping: ManagedFlag

    /// A refused target.
    public struct NotLoopback: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts the loop.
    ///
    /// - Parameters:
    ///   - url: the app's URL (its host goes into `Host`).
    ///   - connectTo: `HOST:PORT` on loopback where the request goes.
    ///   - headers: sent with every request (e.g. a VM-scoped token).
    public init(
        url: String, connectTo: String, headers: [String: Secret] = [:], interval: Duration = .milliseconds(10),
        maxRequests: Int = 20_000, maxDuration: Duration = .seconds(300), requestTimeout: Duration = .seconds(5)
    ) throws {
        guard let original = URLComponents(string: url), let host = original.host else {
            throw NotLoopback(description: "not a URL: \(url)")
        }
        guard let colon = connectTo.lastIndex(of: ":"), let port = Int(connectTo[connectTo.index(after: colon)...]) else {
            throw NotLoopback(description: "connectTo must be HOST:PORT, not \(connectTo)")
        }
        var address = String(connectTo[..<colon])
        if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        guard LoopbackHost.contains(address) else {
            throw NotLoopback(description: "the request loop only targets loopback addresses, not \(address)")
        }
        var target = original
        target.host = address.contains(":") ? "[\(address)]" : address
        target.port = port
        guard let targetURL = target.url else { throw NotLoopback(description: "cannot build the target URL from \(url)") }
        let hostHeader = original.port.map { "\(host):\($0)" } ?? host
        let stopping = ManagedFlag()
        self.stopping = stopping
        let session = URLSession(configuration: .ephemeral, delegate: RefuseRedirects(), delegateQueue: nil)
        task = Task.detached {
            let clock = ContinuousClock()
            let start = clock.now
            var report = RequestLoopReport()
            var lastSuccess = start
            defer { session.invalidateAndCancel() }
            while !stopping.isSet, report.sent < maxRequests, clock.now - start < maxDuration, !Task.isCancelled {
                let sentAt = clock.now
                var request = URLRequest(url: targetURL)
                request.setValue(hostHeader, forHTTPHeaderField: "Host")
                request.timeoutInterval = Double(requestTimeout.components.seconds)
                for (name, value) in headers { request.setValue(value.reveal(), forHTTPHeaderField: name) }
                report.sent += 1
                do {
                    let (data, response) = try await session.data(for: request)
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    if (200..<300).contains(status) {
                        report.succeeded += 1
                        let now = clock.now
                        report.longestGap = max(report.longestGap, now - lastSuccess)
                        lastSuccess = now
                        let body = String(decoding: data.prefix(200), as: UTF8.self)
                        if report.bodies.last != body { report.bodies.append(body) }
                    } else {
                        report.failures.append(.init(at: sentAt - start, reason: "status \(status)"))
                    }
                } catch {
                    report.failures.append(.init(at: sentAt - start, reason: "\(error)"))
                }
                let next = sentAt + interval
                if next > clock.now { try? await Task.sleep(until: next, clock: clock) }
            }
            let end = clock.now
            report.longestGap = max(report.longestGap, end - lastSuccess)
            report.elapsed = end - start
            return report
        }
    }

    /// Stops the loop (after the request in flight) and returns its report.
    public func stop() async -> RequestLoopReport {
        stopping.set()
        return await task.value
    }
}

/// Redirects are answers, not followed: a 3xx (e.g. the proxy's login while
/// the name does not resolve) counts as a failure.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

/// A flag set once, read from any thread.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
