/// An integration (`integrations list`; reference §4.13). Secrets in
/// ``config`` are already redacted by the server.
public struct Integration: Sendable, Hashable, Codable {
    /// The integration's name.
    public var name: String
    /// `http-proxy`, `github`, `reflection`, `notify`, or a later type.
    public var type: String
    /// Its configuration (header values and URL passwords redacted as `***`).
    public var config: JSONValue?
    /// Where it is attached: `vm:<name>`, `tag:<tag>`, `auto:all`.
    public var attachments: [String]
    /// Its comment.
    public var comment: String?
    /// A team integration.
    public var isTeam: Bool
    /// Built in: the server's synthetic `notify` (push notifications),
    /// which cannot be changed. The default `reflection` is not built in.
    public var isBuiltin: Bool

    enum CodingKeys: String, CodingKey {
        case name, type, config, attachments, comment, isTeam = "team", isBuiltin = "builtin"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "an integration without name") }
        self.name = name
        type = container.lenientString(.type) ?? ""
        config = container.lenient(JSONValue.self, .config)
        attachments = container.lenientStrings(.attachments)
        comment = container.lenientString(.comment).flatMap { $0.isEmpty ? nil : $0 }
        isTeam = container.lenientBool(.isTeam) ?? false
        isBuiltin = container.lenientBool(.isBuiltin) ?? false
    }
}

/// `integrations list` prints a bare array, or `null` when there are none.
struct IntegrationList: Decodable {
    let integrations: [Integration]
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        integrations = container.decodeNil() ? [] : try container.decode([Lossy<Integration>].self).compactMap(\.value)
    }
}
