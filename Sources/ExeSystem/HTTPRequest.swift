public import Foundation

/// An HTTP/1.1 request for ``HTTPClient``: sent on a connection of its own
/// with `Connection: close`, `Host` from the URL unless a field sets it,
/// and `Content-Length` for the body.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// `http://` or `https://`, with the host the certificate must name.
    public var url: URL
    /// Header fields, in order.
    public var fields: [HTTPField]
    /// The body (sent with `Content-Length`; none for an empty `GET`).
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, url: URL, fields: [HTTPField] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.fields = fields
        self.body = body
    }

    /// The URL's host without IPv6 brackets.
    var host: String? {
        url.host.map { $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }
    }

    /// Whether the exchange runs over TLS.
    var usesTLS: Bool { url.scheme?.lowercased() == "https" }

    /// The URL's port, or the scheme's.
    var port: Int { url.port ?? (usesTLS ? 443 : 80) }

    /// The request line, the fields and the blank line.
    ///
    /// - Throws: ``NetworkError/Kind/invalidRequest`` for a URL without a
    ///   host, a scheme other than `http`/`https`, or a name or value with
    ///   a line break.
    func head() throws(NetworkError) -> [UInt8] {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host else {
            throw NetworkError(.invalidRequest, "not an http:// or https:// URL with a host: \(url.absoluteString)")
        }
        guard method.allSatisfy({ $0.isLetter }), !method.isEmpty else { throw NetworkError(.invalidRequest, "invalid HTTP method \(method)") }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? ""
        var target = path.isEmpty ? "/" : path
        if let query = components?.percentEncodedQuery { target += "?" + query }
        guard !target.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else {
            throw NetworkError(.invalidRequest, "invalid request target in \(url.absoluteString)")
        }
        let hostValue = host.contains(":") ? "[\(host)]" : host
        var lines = ["\(method) \(target) HTTP/1.1"]
        if fields.value(named: "Host") == nil { lines.append("Host: " + (url.port.map { "\(hostValue):\($0)" } ?? hostValue)) }
        for field in fields {
            let bad = { (text: String) in text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 } }
            guard !bad(field.name), !bad(field.value), !field.name.isEmpty, !field.name.contains(":") else {
                throw NetworkError(.invalidRequest, "invalid HTTP field \(field.name.debugDescription)")
            }
            let lowered = field.name.lowercased()
            if lowered == "content-length" || lowered == "connection" || lowered == "transfer-encoding" { continue }
            lines.append("\(field.name): \(field.value)")
        }
        if !body.isEmpty || !["GET", "HEAD"].contains(method) { lines.append("Content-Length: \(body.count)") }
        lines.append("Connection: close")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }
}
