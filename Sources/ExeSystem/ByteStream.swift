/// A connected, ordered stream of bytes, plain TCP (``TCPStream``) or TLS
/// (``TLSStream``). Every call takes a deadline and fails with
/// ``NetworkError/Kind/timedOut`` when it passes.
///
/// The calls block the calling thread: make them on a thread of your own,
/// never on Swift's cooperative pool (``HTTPClient`` does that for you).
/// One thread at a time may use a stream.
public protocol ByteStream: AnyObject {
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(NetworkError)
    /// Reads up to `maximum` bytes as soon as some arrive; an empty array
    /// means the peer closed its side.
    func read(maximum: Int, deadline: ContinuousClock.Instant) throws(NetworkError) -> [UInt8]
    /// The socket, for `poll` (-1 once closed).
    var descriptor: Int32 { get }
    /// Whether bytes already received wait in a buffer (a decrypted TLS
    /// record), so a read returns without the socket being readable.
    var hasBufferedInput: Bool { get }
    /// Closes the connection. Safe to call more than once.
    func close()
    /// Shuts the socket down (without closing it), so a read or write
    /// blocked on another thread returns at once. The only call that may
    /// be made from another thread, and only while the stream is not closed.
    func interrupt()
}
