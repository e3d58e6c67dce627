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
///
/// With a `connectTo` address (`EXE_VM_PROXY`, printed by `exe-sim up`)
/// every request goes to that `host:port` and carries the URL's own host
/// (and port) in its `Host` header, like `curl --connect-to ::HOST:PORT`:
/// that is how a VM URL of the simulator (`http://<vm>.exe-sim.localhost/`)
/// is reached without a hosts file.
public struct URLSessionHTTPProbe: HTTPProbe {
    private let session: URLSession
    private let connectTo: (host: String, port: Int)?

    /// Creates a probe; `connectTo` is `HOST:PORT` (ignored when it does
    /// not parse).
    public init(connectTo: String? = nil) {
        self.connectTo = connectTo.flatMap(Self.parseAddress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    public func get(_ url: URL, headers: [String: Secret], timeout: Duration) async throws -> HTTPProbeResponse {
        var request = URLRequest(url: url)
        if let connectTo, var components = URLComponents(url: url, resolvingAgainstBaseURL: false), let host = components.host {
            let hostHeader = components.port.map { "\(host):\($0)" } ?? host
            components.host = connectTo.host
            components.port = connectTo.port
            if let target = components.url {
                request = URLRequest(url: target)
                request.setValue(hostHeader, forHTTPHeaderField: "Host")
            }
        }
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

extension URLSessionHTTPProbe {
    /// `HOST:PORT` → its parts.
    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
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
