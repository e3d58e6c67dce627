/// The status line and header fields of an HTTP response.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The reason phrase.
    public var reason: String
    /// The header fields, in order.
    public var fields: [HTTPField]

    /// Creates a head.
    public init(status: Int, reason: String = "", fields: [HTTPField] = []) {
        self.status = status
        self.reason = reason
        self.fields = fields
    }

    /// The value of the first field named `name` (case-insensitive).
    public func value(_ name: String) -> String? { fields.value(named: name) }
}
