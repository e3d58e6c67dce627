/// The result of `comment` (reference §4.7): the comment as stored (trimmed).
public struct CommentResult: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// The stored comment; empty when cleared.
    public var comment: String

    enum CodingKeys: String, CodingKey { case name = "vm_name", comment }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "comment without vm_name") }
        self.name = name
        comment = container.lenientString(.comment) ?? ""
    }
}
