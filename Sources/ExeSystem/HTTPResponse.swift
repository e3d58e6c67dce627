/// A whole HTTP response: the head, the body (up to a limit) and the trailers.
public struct HTTPResponse: Sendable {
    /// Status and header fields.
    public var head: HTTPResponseHead
    /// The body.
    public var body: [UInt8]
    /// The trailer fields of a chunked body (empty otherwise).
    public var trailers: [HTTPField]

    /// Creates a response.
    public init(head: HTTPResponseHead, body: [UInt8], trailers: [HTTPField] = []) {
        self.head = head
        self.body = body
        self.trailers = trailers
    }

    /// The status code.
    public var status: Int { head.status }
}
