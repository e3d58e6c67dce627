import ExeSystem
import Foundation

/// One message of the connection holder's protocol on its Unix socket: a
/// type byte, a 4-byte big-endian length and the payload (at most
/// ``maxPayload`` bytes). Control messages carry JSON; data messages carry
/// the bytes as they are.
struct HolderFrame: Sendable, Equatable {
    enum Kind: UInt8, Sendable {
        // Client to holder.
        /// JSON ``HolderOpenRequest``: run a command on a held connection.
        case open = 1
        /// Bytes for the command's stdin.
        case stdin = 2
        /// stdin is at EOF.
        case stdinEnd = 3
        /// JSON ``HolderWindowSize``: the terminal was resized.
        case resize = 4
        /// List held connections (answered with ``listing``).
        case list = 5
        /// End the holder (answered with ``stopped``).
        case stop = 6
        // Holder to client.
        /// Bytes the command wrote to stdout.
        case stdout = 20
        /// Bytes the command wrote to stderr.
        case stderr = 21
        /// JSON ``HolderExit``: how the command ended; the last frame.
        case exit = 22
        /// JSON ``HolderFailure``: the command could not run or was cut off; the last frame.
        case failure = 23
        /// A warning for the user (text), e.g. a host key recorded.
        case warning = 24
        /// JSON ``HolderListing``.
        case listing = 25
        /// The holder is ending.
        case stopped = 26
    }

    /// The largest payload accepted; larger output is sent in several frames.
    static let maxPayload = 256 * 1024

    var kind: Kind
    var payload: Data

    init(_ kind: Kind, _ payload: Data = Data()) {
        self.kind = kind
        self.payload = payload
    }

    init<T: Encodable>(_ kind: Kind, json value: T) {
        self.init(kind, (try? JSONEncoder().encode(value)) ?? Data())
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: payload) }

    /// The frame as bytes on the wire.
    var encoded: Data {
        var data = Data(capacity: 5 + payload.count)
        data.append(kind.rawValue)
        let length = UInt32(payload.count).bigEndian
        withUnsafeBytes(of: length) { data.append(contentsOf: $0) }
        data.append(payload)
        return data
    }

    /// Reads one frame from `fd`; `nil` at EOF.
    ///
    /// - Throws: ``HolderProtocolError`` for an unknown type or an oversized
    ///   payload, `UnixSocket.Failure` for I/O errors.
    static func read(from fd: Int32) throws -> HolderFrame? {
        guard let header = try UnixSocket.readExactly(fd, 5) else { return nil }
        guard let kind = Kind(rawValue: header[header.startIndex]) else { throw HolderProtocolError("unknown frame type") }
        let length = header.dropFirst().reduce(0) { $0 << 8 | Int($1) }
        guard length <= maxPayload else { throw HolderProtocolError("frame too large") }
        if length == 0 { return HolderFrame(kind) }
        guard let payload = try UnixSocket.readExactly(fd, length) else { throw HolderProtocolError("truncated frame") }
        return HolderFrame(kind, payload)
    }
}

/// The peer broke the holder protocol.
struct HolderProtocolError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes frames to one socket from any thread, one whole frame at a time.
final class HolderFrameWriter: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    /// Writes `frame`, blocking while the peer's buffer is full (back-pressure).
    func write(_ frame: HolderFrame) throws {
        let bytes = frame.encoded
        try lock.withLock { try bytes.withUnsafeBytes { try UnixSocket.writeAll(fd, $0) } }
    }

    /// Writes `data` as frames of `kind`, split at ``HolderFrame/maxPayload``.
    func write(_ kind: HolderFrame.Kind, chunked data: Data) throws {
        var start = data.startIndex
        while start < data.endIndex {
            let end = data.index(start, offsetBy: HolderFrame.maxPayload, limitedBy: data.endIndex) ?? data.endIndex
            try write(HolderFrame(kind, Data(data[start..<end])))
            start = end
        }
    }
}
