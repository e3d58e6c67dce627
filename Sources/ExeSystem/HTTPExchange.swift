import Foundation

/// One HTTP/1.1 request and its response on a connection of its own, read
/// as it arrives: ``head`` first, then the body piece by piece
/// (`Content-Length`, chunked, or up to the close), then ``trailers``.
///
/// Blocking: use it on a thread of your own (``HTTPClient/send(_:timeout:maximumBodyBytes:truncatingBody:)``
/// does that for whole responses). Header blocks are limited to
/// ``maximumHeadBytes``, chunk-size and trailer lines to ``maximumLineBytes``;
/// every read takes a deadline.
public final class HTTPExchange {
    /// The most bytes the status line and header fields may take.
    public static let maximumHeadBytes = 64 * 1024
    /// The most bytes a chunk-size line or a trailer block may take.
    public static let maximumLineBytes = 8 * 1024

    /// The response's status line and fields (after any `1xx` interim answers).
    public private(set) var head = HTTPResponseHead(status: 0)
    /// The trailer fields, once the body has been read to its end.
    public private(set) var trailers: [HTTPField] = []

    private enum Framing {
        case none
        case length(Int)
        case chunk(Int)  // bytes left in the current chunk; 0: a size line comes next
        case untilClose
        case done
    }

    private let stream: any ByteStream
    private let peer: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var ended = false
    private var framing = Framing.none

    private init(stream: any ByteStream, peer: String) {
        self.stream = stream
        self.peer = peer
    }

    deinit { stream.close() }

    /// Connects (over TLS for `https://`, verified against `trust` as the
    /// URL's host), sends `request` and reads the response head.
    ///
    /// - Parameters:
    ///   - request: what to send.
    ///   - trust: which CAs an `https://` server's certificate must chain to.
    ///   - connectTo: where to connect instead of the URL's host and port
    ///     (like `curl --connect-to`); the URL's host stays in `Host`, SNI
    ///     and the certificate check.
    ///   - proxy: a proxy to tunnel through with `CONNECT` (not used with
    ///     `connectTo`); see ``HTTPProxy/forURL(_:environment:)``.
    ///   - deadline: for connecting, the handshake, sending and the head.
    public static func open(
        _ request: HTTPRequest, trust: TLSTrust, connectTo: NetworkAddress? = nil, proxy: HTTPProxy? = nil,
        deadline: ContinuousClock.Instant
    ) throws(NetworkError) -> HTTPExchange {
        let head = try request.head()
        guard let host = request.host else { throw NetworkError(.invalidRequest, "no host in \(request.url.absoluteString)") }
        let address = connectTo ?? NetworkAddress(host: host, port: request.port)
        let tcp =
            if let proxy, connectTo == nil {
                try ProxyTunnel.open(through: proxy, to: address, deadline: deadline)
            } else {
                try TCPStream.connect(to: address, deadline: deadline)
            }
        let stream: any ByteStream = request.usesTLS
            ? try TLSStream.handshake(over: tcp, serverName: host, trust: trust, deadline: deadline) : tcp
        try stream.write(head + request.body, deadline: deadline)
        return try reading(from: stream, method: request.method, peer: request.usesTLS ? "\(host) (\(address))" : address.description, deadline: deadline)
    }

    /// Reads a response head from `stream`, to which a request for
    /// `method` was sent: for the fuzz targets, which feed arbitrary bytes.
    package static func reading(
        from stream: any ByteStream, method: String, peer: String, deadline: ContinuousClock.Instant
    ) throws(NetworkError) -> HTTPExchange {
        let exchange = HTTPExchange(stream: stream, peer: peer)
        try exchange.readHead(method: method, deadline: deadline)
        return exchange
    }

    /// The next piece of the body; `nil` once it has ended (then
    /// ``trailers`` holds the trailer fields).
    ///
    /// - Parameter deadline: when to give up waiting for the next piece.
    /// - Throws: ``NetworkError/Kind/connectionClosed`` when the connection
    ///   ends before the body does, ``NetworkError/Kind/malformedResponse``
    ///   for bad chunk framing, ``NetworkError/Kind/timedOut``.
    public func nextBodyPiece(deadline: ContinuousClock.Instant) throws(NetworkError) -> [UInt8]? {
        while true {
            switch framing {
            case .none, .done:
                framing = .done
                return nil
            case .untilClose:
                if position < buffer.count { return take(buffer.count - position) }
                let bytes = try stream.read(maximum: 65536, deadline: deadline)
                if bytes.isEmpty {
                    framing = .done
                    return nil
                }
                return bytes
            case .length(let left):
                if left == 0 {
                    framing = .done
                    return nil
                }
                try fillIfEmpty(deadline: deadline, cutOff: "the response body from \(peer) ended \(left) bytes early")
                let piece = take(min(left, buffer.count - position))
                framing = .length(left - piece.count)
                return piece
            case .chunk(let left) where left > 0:
                try fillIfEmpty(deadline: deadline, cutOff: "the chunked response from \(peer) ended inside a chunk")
                let piece = take(min(left, buffer.count - position))
                if piece.count == left {
                    guard try readLine(limit: 2, deadline: deadline).isEmpty else {
                        throw NetworkError(.malformedResponse, "\(peer) sent a chunk longer than its size")
                    }
                }
                framing = .chunk(left - piece.count)
                return piece
            case .chunk:
                let line = try readLine(limit: Self.maximumLineBytes, deadline: deadline)
                let sizeText = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .trimmingCharacters(in: .whitespaces)
                guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                    throw NetworkError(.malformedResponse, "\(peer) sent an invalid chunk size")
                }
                if size == 0 {
                    trailers = try readFields(limit: Self.maximumLineBytes, deadline: deadline, what: "trailer")
                    framing = .done
                    return nil
                }
                framing = .chunk(size)
            }
        }
    }

    /// Closes the connection (also when the body was not read to its end).
    public func close() { stream.close() }

    /// Makes a read blocked on another thread return (``ByteStream/interrupt()``);
    /// call it only before ``close()``.
    public func interrupt() { stream.interrupt() }

    private func take(_ count: Int) -> [UInt8] {
        let piece = Array(buffer[position..<(position + count)])
        position += count
        if position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        return piece
    }

    /// Reads more bytes into the buffer; `false` at the end of the stream.
    private func fill(deadline: ContinuousClock.Instant) throws(NetworkError) -> Bool {
        guard !ended else { return false }
        let bytes = try stream.read(maximum: 65536, deadline: deadline)
        if bytes.isEmpty {
            ended = true
            return false
        }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer += bytes
        return true
    }

    private func fillIfEmpty(deadline: ContinuousClock.Instant, cutOff: @autoclosure () -> String) throws(NetworkError) {
        if position == buffer.count, try !fill(deadline: deadline) { throw NetworkError(.connectionClosed, cutOff()) }
    }

    /// One line without its CRLF (or bare LF), at most `limit` bytes.
    private func readLine(limit: Int, deadline: ContinuousClock.Instant) throws(NetworkError) -> String {
        var searched = position
        while true {
            if let newline = buffer[searched...].firstIndex(of: 10) {
                guard newline - position <= limit else { throw NetworkError(.tooLarge, "\(peer) sent a line longer than \(limit) bytes") }
                var line = buffer[position..<newline]
                if line.last == 13 { line = line.dropLast() }
                position = newline + 1
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count - position <= limit else { throw NetworkError(.tooLarge, "\(peer) sent a line longer than \(limit) bytes") }
            searched = buffer.count
            let offset = searched - position
            guard try fill(deadline: deadline) else {
                throw NetworkError(.connectionClosed, "\(peer) closed the connection in the middle of the response")
            }
            searched = position + offset
        }
    }

    /// Field lines up to the blank line, `limit` bytes in all.
    private func readFields(limit: Int, deadline: ContinuousClock.Instant, what: String) throws(NetworkError) -> [HTTPField] {
        var fields: [HTTPField] = []
        var used = 0
        while true {
            let line = try readLine(limit: limit - used, deadline: deadline)
            used += line.utf8.count + 2
            guard used <= limit else { throw NetworkError(.tooLarge, "\(peer) sent a \(what) block larger than \(limit) bytes") }
            if line.isEmpty { return fields }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex, !line.hasPrefix(" "), !line.hasPrefix("\t") else {
                throw NetworkError(.malformedResponse, "\(peer) sent an invalid \(what) line")
            }
            let name = String(line[..<colon])
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw NetworkError(.malformedResponse, "\(peer) sent an invalid \(what) name")
            }
            fields.append(HTTPField(name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }

    private func readHead(method: String, deadline: ContinuousClock.Instant) throws(NetworkError) {
        while true {
            let statusLine = try readLine(limit: Self.maximumHeadBytes, deadline: deadline)
            let words = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard words.count >= 2, words[0].hasPrefix("HTTP/1."), words[1].count == 3, let status = Int(words[1]), status >= 100 else {
                throw NetworkError(.malformedResponse, "\(peer) did not answer with HTTP/1.1")
            }
            let fields = try readFields(limit: Self.maximumHeadBytes - statusLine.utf8.count, deadline: deadline, what: "header")
            if (100..<200).contains(status), status != 101 { continue }
            head = HTTPResponseHead(status: status, reason: words.count > 2 ? String(words[2]) : "", fields: fields)
            break
        }
        framing = try Self.framing(of: head, method: method, peer: peer)
    }

    private static func framing(of head: HTTPResponseHead, method: String, peer: String) throws(NetworkError) -> Framing {
        if method == "HEAD" || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) { return .none }
        if let encoding = head.value("Transfer-Encoding") {
            let last = encoding.split(separator: ",").last?.trimmingCharacters(in: .whitespaces).lowercased()
            return last == "chunked" ? .chunk(0) : .untilClose
        }
        let lengths = Set(head.fields.filter { $0.name.lowercased() == "content-length" }.map(\.value))
        guard let text = lengths.first else { return .untilClose }
        guard lengths.count == 1, !text.isEmpty, text.count <= 18, text.allSatisfy(\.isASCIIDigit), let length = Int(text) else {
            throw NetworkError(.malformedResponse, "\(peer) sent an invalid Content-Length")
        }
        return .length(length)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
