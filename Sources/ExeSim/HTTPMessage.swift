public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 request as the daemon received it.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The request target (path and query).
    public var target: String
    /// Header fields in order.
    public var headers: [(String, String)]
    /// The body (possibly cut at a limit; see ``bodyTooLarge``).
    public var body: Data
    /// Whether the declared body was longer than the reader's limit.
    public var bodyTooLarge: Bool

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// An HTTP/1.1 response.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields.
    public var headers: [(String, String)]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (`application/json; charset=utf-8`).
    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Data(text.utf8))
    }

    /// `{"error":message}` with a newline.
    public static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        json(status, JSONValue.object([("error", .string(message))]).encoded() + "\n", headers: headers)
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The status line, headers (with Content-Length and
    /// `Connection: close`) and body.
    public func serialized() -> Data {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers where name.lowercased() != "content-length" && name.lowercased() != "connection" {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Data(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Request Entity Too Large"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(status)"
        }
    }
}

/// Reads HTTP messages from a socket with a buffer; headers are limited
/// to 64 KiB, bodies to a caller-given size.
final class HTTPReader {
    private let fd: Int32
    private var buffer = Data()
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    private func fill() -> Bool {
        guard !closed else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 {
            closed = true
            return false
        }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// The header block (up to the blank line), or `nil` if the peer closed first.
    func readHead() -> String? {
        let separator = Data("\r\n\r\n".utf8)
        while true {
            if let range = buffer.range(of: separator) {
                let head = buffer[..<range.lowerBound]
                buffer.removeSubrange(..<range.upperBound)
                return String(decoding: head, as: UTF8.self)
            }
            if buffer.count > 65536 || !fill() { return nil }
        }
    }

    /// Exactly `count` bytes (fewer if the peer closes).
    func readBody(count: Int) -> Data {
        while buffer.count < count, fill() {}
        let body = buffer.prefix(count)
        buffer.removeFirst(min(count, buffer.count))
        return Data(body)
    }

    /// A chunked body.
    func readChunkedBody(limit: Int) -> Data {
        var body = Data()
        while true {
            guard let sizeLine = readLine(), let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { return body }
            if size == 0 {
                _ = readLine()
                return body
            }
            body += readBody(count: size)
            _ = readLine()
            if body.count > limit { return body }
        }
    }

    /// Everything until the peer closes.
    func readToEnd(limit: Int) -> Data {
        while buffer.count <= limit, fill() {}
        let body = buffer
        buffer = Data()
        return body
    }

    private func readLine() -> String? {
        let separator = Data("\r\n".utf8)
        while true {
            if let range = buffer.range(of: separator) {
                let line = buffer[..<range.lowerBound]
                buffer.removeSubrange(..<range.upperBound)
                return String(decoding: line, as: UTF8.self)
            }
            if !fill() { return nil }
        }
    }

    /// Parses `head` into request line and headers.
    static func parseHead(_ head: String) -> (startLine: [String], headers: [(String, String)]) {
        var lines = head.components(separatedBy: "\r\n")
        let start = lines.isEmpty ? [] : lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (start, headers)
    }

    /// Reads one request; the body is cut at `bodyLimit` (+1 byte read to
    /// detect oversize).
    func readRequest(bodyLimit: Int) -> HTTPRequest? {
        guard let head = readHead() else { return nil }
        let (start, headers) = Self.parseHead(head)
        guard start.count >= 2 else { return nil }
        var request = HTTPRequest(method: start[0], target: start[1], headers: headers, body: Data(), bodyTooLarge: false)
        if let lengthText = request.header("Content-Length"), let length = Int(lengthText) {
            if length > bodyLimit {
                request.bodyTooLarge = true
            } else {
                request.body = readBody(count: length)
            }
        } else if request.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            request.body = readChunkedBody(limit: bodyLimit)
            request.bodyTooLarge = request.body.count > bodyLimit
        }
        return request
    }

    /// Reads one response.
    func readResponse(limit: Int) -> HTTPResponse? {
        guard let head = readHead() else { return nil }
        let (start, headers) = Self.parseHead(head)
        guard start.count >= 2, let status = Int(start[1]) else { return nil }
        var response = HTTPResponse(status: status, headers: headers)
        if let lengthText = response.header("Content-Length"), let length = Int(lengthText) {
            response.body = readBody(count: min(length, limit))
        } else if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = readChunkedBody(limit: limit)
        } else {
            response.body = readToEnd(limit: limit)
        }
        return response
    }
}
