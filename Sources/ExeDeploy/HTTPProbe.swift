public import ExeSystem
public import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What one health-check request got back.
public struct HTTPProbeResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The `Location` header of a redirect.
    public var location: String?
    /// The start of the body, for messages.
    public var bodyPrefix: String

    /// Creates a response.
    public init(status: Int, location: String? = nil, bodyPrefix: String = "") {
        self.status = status
        self.location = location
        self.bodyPrefix = bodyPrefix
    }
}

/// Sends health-check requests. Injected so tests can script answers.
public protocol HTTPProbe: Sendable {
    /// `GET url` with `headers` (values are secrets: tokens), not
    /// following redirects.
    ///
    /// - Throws: when no HTTP answer arrived (refused, timed out, reset).
    func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse
}

/// ``HTTPProbe`` with `URLSession`: no cookies, no cache, no redirects
/// (a redirect is an answer, and a token must not follow it).
public struct URLSessionHTTPProbe: HTTPProbe {
    private let session: URLSession

    /// Creates a probe.
    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    public func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse {
        var request = URLRequest(url: url)
        request.httpMethod = "GET"
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        for (name, value) in headers { request.setValue(value.reveal(), forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return HTTPProbeResponse(
            status: http.statusCode, location: http.value(forHTTPHeaderField: "Location"),
            bodyPrefix: String(decoding: data.prefix(300), as: UTF8.self))
    }
}

/// Answers every redirect with "do not follow".
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
