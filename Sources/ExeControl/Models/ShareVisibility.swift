/// Whether a VM's default HTTPS port is open to everyone. Open: unknown
/// values arrive as ``other(_:)``.
public enum ShareVisibility: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Only the owner, the people it is shared with (and the team, if
    /// allowed) get through the proxy.
    case `private`
    /// Anyone gets through the proxy.
    case `public`
    /// A visibility this client does not know yet, as the server wrote it.
    case other(String)

    /// Reads the server's text.
    public init(rawValue: String) {
        switch rawValue.lowercased() {
        case "private": self = .private
        case "public": self = .public
        default: self = .other(rawValue)
        }
    }

    /// The server's text.
    public var rawValue: String {
        switch self {
        case .private: return "private"
        case .public: return "public"
        case .other(let text): return text
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
