import Foundation

/// An HTTP/1.1 client over plain TCP or TLS (``TLSStream``, OpenSSL) that
/// can trust a private CA: what `URLSession` on Linux cannot do.
///
/// Cancelling the calling task interrupts the exchange once the
/// connection is made (connecting and the handshake end at their deadline).
/// Each request gets a connection of its own; redirects are answers, never
/// followed (a token must not follow one). Errors name the host and port,
/// never a header value.
public struct HTTPClient: Sendable {
    /// Which CAs a server's certificate must chain to.
    public var trust: TLSTrust
    /// Where to connect instead of the URL's host (``HTTPExchange/open(_:trust:connectTo:proxy:deadline:)``).
    public var connectTo: NetworkAddress?
    /// A proxy to tunnel every request through (``HTTPProxy/forURL(_:environment:)``
    /// picks one per URL from the environment).
    public var proxy: HTTPProxy?

    /// Creates a client.
    public init(trust: TLSTrust = .systemStore, connectTo: NetworkAddress? = nil, proxy: HTTPProxy? = nil) {
        self.trust = trust
        self.connectTo = connectTo
        self.proxy = proxy
    }

    /// Sends `request` and reads the whole response, on a thread of its own.
    ///
    /// - Parameters:
    ///   - request: what to send.
    ///   - timeout: for everything: connecting, the handshake, the answer.
    ///   - maximumBodyBytes: the most body kept; a longer body fails with
    ///     ``NetworkError/Kind/tooLarge``, unless `truncatingBody` is set.
    ///   - truncatingBody: keep the first `maximumBodyBytes` of a longer
    ///     body and leave the rest unread (without trailers).
    public func send(
        _ request: HTTPRequest, timeout: Duration, maximumBodyBytes: Int = 16 << 20, truncatingBody: Bool = false
    ) async throws(NetworkError) -> HTTPResponse {
        let trust = self.trust
        let connectTo = self.connectTo
        let proxy = self.proxy
        let cancellation = ExchangeCancellation()
        let result = await withTaskCancellationHandler {
            await OwnThread.run("exe-http") { () -> Result<HTTPResponse, NetworkError> in
                let deadline = ContinuousClock.now + timeout
                do throws(NetworkError) {
                    let exchange = try HTTPExchange.open(request, trust: trust, connectTo: connectTo, proxy: proxy, deadline: deadline)
                    defer {
                        cancellation.finish()
                        exchange.close()
                    }
                    guard cancellation.begin(exchange) else { throw NetworkError(.cancelled, "cancelled") }
                    var body: [UInt8] = []
                    while let piece = try exchange.nextBodyPiece(deadline: deadline) {
                        if body.count + piece.count > maximumBodyBytes {
                            guard truncatingBody else {
                                throw NetworkError(.tooLarge, "the response from \(request.url.host ?? "") is larger than \(maximumBodyBytes) bytes")
                            }
                            body += piece.prefix(maximumBodyBytes - body.count)
                            return .success(HTTPResponse(head: exchange.head, body: body))
                        }
                        body += piece
                    }
                    return .success(HTTPResponse(head: exchange.head, body: body, trailers: exchange.trailers))
                } catch {
                    return .failure(cancellation.isCancelled ? NetworkError(.cancelled, "cancelled") : error)
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}

/// Lets a task's cancellation interrupt an exchange running on another thread.
private final class ExchangeCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var exchange: HTTPExchange?
    private var cancelled = false

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Records the open exchange; `false` when already cancelled.
    func begin(_ exchange: HTTPExchange) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        self.exchange = exchange
        return !cancelled
    }

    /// Forgets the exchange before it is closed.
    func finish() {
        lock.lock()
        exchange = nil
        lock.unlock()
    }

    func cancel() {
        lock.lock()
        cancelled = true
        exchange?.interrupt()
        lock.unlock()
    }
}
