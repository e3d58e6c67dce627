import ExeSystem
package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 request as the daemon received it.
package struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    package var method: String
    /// The request target (path and query).
    package var target: String
    /// Header fields in order.
    package var headers: [(String, String)]
    /// The body (possibly cut at a limit; see ``bodyTooLarge``).
    package var body: Data
    /// Whether the declared body was longer than the reader's limit.
    package var bodyTooLarge: Bool

    /// The first header named `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// An HTTP/1.1 response.
package struct HTTPResponse: Sendable {
    /// The status code.
    package var status: Int
    /// Header fields.
    package var headers: [(String, String)]
    /// The body.
    package var body: Data

    /// Creates a response.
    package init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (`application/json; charset=utf-8`).
    package static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Data(text.utf8))
    }

    /// `{"error":message}` with a newline.
    package static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        json(status, JSONValue.object([("error", .string(message))]).encoded() + "\n", headers: headers)
    }

    /// The first header named `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The status line, headers (with Content-Length and
    /// `Connection: close`) and body.
    package func serialized() -> Data {
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
        case 431: return "Request Header Fields Too Large"
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

/// Why a request could not be read. Each case maps to the status Go's
/// `net/http` answers (`400 Bad Request` for malformed framing, `431` for an
/// oversized head), so a client sees what the real server would send.
package enum HTTPReadFailure: Error, Equatable, Sendable {
    /// The peer closed (or the read deadline passed) before a whole head arrived.
    case closed
    /// The head is longer than the reader's limit, or has too many fields.
    case headTooLarge
    /// The framing is not HTTP/1.1: a bad request line, a `Content-Length`
    /// that is not a non-negative decimal, a bad chunk size, ...
    case malformed(String)

    /// The response to send for this failure (`nil`: say nothing, the peer is gone).
    package var response: HTTPResponse? {
        switch self {
        case .closed: return nil
        case .headTooLarge:
            return HTTPResponse(status: 431, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data("431 Request Header Fields Too Large".utf8))
        case .malformed(let reason):
            return HTTPResponse(status: 400, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data("400 Bad Request: \(reason)".utf8))
        }
    }
}

/// Reads HTTP/1.1 messages from a socket with a bounded buffer: the head is
/// limited to ``headLimit`` bytes and ``fieldLimit`` fields, every line of
/// chunked framing to ``lineLimit`` bytes, bodies to a caller-given size
/// (enforced while reading, never after), and the whole read to a deadline.
/// Lengths are parsed strictly (digits only, checked for overflow); anything
/// else is ``HTTPReadFailure/malformed(_:)``.
package final class HTTPReader {
    /// The most bytes a request or response head may take.
    static let headLimit = 64 * 1024
    /// The most header fields a head may have.
    static let fieldLimit = 200
    /// The most bytes a chunk-size or trailer line may take.
    static let lineLimit = 4096

    private let fd: Int32
    private let deadline: ContinuousClock.Instant?
    private var buffer = Data()
    private var closed = false

    /// A reader of `fd`; with a `deadline`, reads after it report the peer as closed.
    package init(fd: Int32, deadline: ContinuousClock.Instant? = nil) {
        self.fd = fd
        self.deadline = deadline
    }

    /// Reads once from the socket into the buffer; `false` when the peer
    /// closed, the read failed or the deadline passed.
    private func fill() -> Bool {
        guard !closed else { return false }
        if let deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                closed = true
                return false
            }
            let milliseconds = left.inMilliseconds
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, Int32(clamping: max(1, milliseconds))) <= 0 {
                closed = true
                return false
            }
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 {
            closed = true
            return false
        }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// The header block (up to the blank line).
    func readHead() throws(HTTPReadFailure) -> String {
        let separator = Data("\r\n\r\n".utf8)
        var searchedUpTo = 0
        while true {
            // Search only the new bytes (and 3 before them): a head sent a
            // byte at a time must not cost quadratic time.
            let from = buffer.startIndex + max(0, searchedUpTo - 3)
            if let range = buffer.range(of: separator, in: from..<buffer.endIndex) {
                guard range.lowerBound - buffer.startIndex <= Self.headLimit else { throw .headTooLarge }
                let head = buffer[..<range.lowerBound]
                buffer.removeSubrange(..<range.upperBound)
                return String(decoding: head, as: UTF8.self)
            }
            searchedUpTo = buffer.count
            if buffer.count > Self.headLimit { throw .headTooLarge }
            if !fill() { throw .closed }
        }
    }

    /// Exactly `count` bytes (fewer if the peer closes); `count` must not be negative.
    private func readBody(count: Int) -> Data {
        let count = max(0, count)
        while buffer.count < count, fill() {}
        let body = buffer.prefix(count)
        buffer.removeFirst(body.count)
        return Data(body)
    }

    /// Discards exactly `count` bytes (fewer if the peer closes) without keeping them.
    private func skip(count: Int) {
        var left = max(0, count)
        while left > 0 {
            if buffer.isEmpty, !fill() { return }
            let taken = min(left, buffer.count)
            buffer.removeFirst(taken)
            left -= taken
        }
    }

    /// A chunked body, at most `limit` bytes of it. The second value is
    /// whether the body was longer: reading stops there and the rest is
    /// not buffered.
    func readChunkedBody(limit: Int) throws(HTTPReadFailure) -> (body: Data, tooLarge: Bool) {
        var body = Data()
        while true {
            guard let sizeLine = try readLine() else { return (body, false) }
            guard let size = Self.chunkSize(sizeLine) else { throw .malformed("invalid chunk size \(Self.excerpt(sizeLine))") }
            if size == 0 {
                // Trailer fields up to the blank line, bounded like the head.
                var fields = 0
                while let trailer = try readLine(), !trailer.isEmpty {
                    fields += 1
                    if fields > Self.fieldLimit { throw .headTooLarge }
                }
                return (body, false)
            }
            guard size <= limit - body.count else { return (body, true) }
            let chunk = readBody(count: size)
            body += chunk
            if chunk.count < size { return (body, false) }
            guard let end = try readLine(), end.isEmpty else { throw .malformed("chunk data longer than its size") }
        }
    }

    /// Everything until the peer closes, at most `limit` bytes.
    func readToEnd(limit: Int) -> Data {
        let limit = max(0, limit)
        while buffer.count < limit, fill() {}
        let body = buffer.prefix(limit)
        buffer = Data()
        return Data(body)
    }

    /// One CRLF-terminated line of at most ``lineLimit`` bytes; `nil` if the peer closed first.
    private func readLine() throws(HTTPReadFailure) -> String? {
        let separator = Data("\r\n".utf8)
        var searchedUpTo = 0
        while true {
            let from = buffer.startIndex + max(0, searchedUpTo - 1)
            if let range = buffer.range(of: separator, in: from..<buffer.endIndex) {
                guard range.lowerBound - buffer.startIndex <= Self.lineLimit else { throw .malformed("line too long") }
                let line = buffer[..<range.lowerBound]
                buffer.removeSubrange(..<range.upperBound)
                return String(decoding: line, as: UTF8.self)
            }
            searchedUpTo = buffer.count
            if buffer.count > Self.lineLimit { throw .malformed("line too long") }
            if !fill() { return nil }
        }
    }

    /// A `Content-Length` value: ASCII digits only (no sign, no spaces
    /// inside), within `Int`; `nil` otherwise.
    static func contentLength(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// A chunk-size line (`hex[;extensions]`): 1 to 16 hex digits (Go's
    /// limit), no sign; `nil` otherwise. Sizes past `Int.max` read as
    /// `Int.max`: over any body limit.
    static func chunkSize(_ line: String) -> Int? {
        let digits = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        } ?? ""
        let hex = digits.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
        guard !digits.isEmpty, digits.utf8.count <= 16, hex, let size = UInt64(digits, radix: 16) else { return nil }
        return Int(clamping: size)
    }

    /// At most 40 characters of `text`, Go-quoted, for a message.
    private static func excerpt(_ text: String) -> String {
        GoFlagParser.goQuote(String(text.prefix(40)))
    }

    /// Parses `head` into request line and headers.
    static func parseHead(_ head: String) throws(HTTPReadFailure) -> (startLine: [String], headers: [(String, String)]) {
        var lines = head.components(separatedBy: "\r\n")
        guard lines.count <= fieldLimit + 1 else { throw .headTooLarge }
        let start = lines.isEmpty ? [] : lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { throw .malformed("malformed header line") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (start, headers)
    }

    /// How the body of a message with `headers` is framed.
    private enum BodyFraming {
        case none
        case length(Int)
        case chunked
    }

    /// The body framing `headers` declare, as Go's `net/http` reads it:
    /// every `Content-Length` must be the same valid number, and a
    /// `Transfer-Encoding` other than `chunked` is refused.
    private static func framing(_ headers: [(String, String)]) throws(HTTPReadFailure) -> BodyFraming {
        let lengths = headers.filter { $0.0.caseInsensitiveCompare("Content-Length") == .orderedSame }.map(\.1)
        let encodings = headers.filter { $0.0.caseInsensitiveCompare("Transfer-Encoding") == .orderedSame }.map { $0.1.lowercased() }
        if !encodings.isEmpty {
            guard encodings == ["chunked"] else { throw .malformed("unsupported transfer encoding") }
            guard lengths.isEmpty else { throw .malformed("both Transfer-Encoding and Content-Length") }
            return .chunked
        }
        guard let first = lengths.first else { return .none }
        guard let length = contentLength(first), lengths.allSatisfy({ $0 == first }) else {
            throw .malformed("invalid Content-Length \(excerpt(lengths.joined(separator: ", ")))")
        }
        return .length(length)
    }

    /// Reads one request; a body longer than `bodyLimit` is not read
    /// (``HTTPRequest/bodyTooLarge`` is set instead).
    package func readRequest(bodyLimit: Int) throws(HTTPReadFailure) -> HTTPRequest {
        let head = try readHead()
        let (start, headers) = try Self.parseHead(head)
        guard start.count == 3, start[2].hasPrefix("HTTP/1."), !start[0].isEmpty, !start[1].isEmpty else {
            throw .malformed("malformed request line")
        }
        var request = HTTPRequest(method: start[0], target: start[1], headers: headers, body: Data(), bodyTooLarge: false)
        switch try Self.framing(headers) {
        case .none:
            break
        case .length(let length):
            if length > bodyLimit {
                request.bodyTooLarge = true
            } else {
                request.body = readBody(count: length)
            }
        case .chunked:
            (request.body, request.bodyTooLarge) = try readChunkedBody(limit: bodyLimit)
        }
        return request
    }

    /// Reads one response, its body cut at `limit` bytes.
    package func readResponse(limit: Int) throws(HTTPReadFailure) -> HTTPResponse {
        let head = try readHead()
        let (start, headers) = try Self.parseHead(head)
        guard start.count >= 2, let status = Int(start[1]), (100...999).contains(status) else { throw .malformed("malformed status line") }
        var response = HTTPResponse(status: status, headers: headers)
        switch try Self.framing(headers) {
        case .none:
            response.body = readToEnd(limit: limit)
        case .length(let length):
            response.body = readBody(count: min(length, max(0, limit)))
        case .chunked:
            response.body = try readChunkedBody(limit: max(0, limit)).body
        }
        return response
    }
}
