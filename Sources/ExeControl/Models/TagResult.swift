/// The result of `tag` and `tag -d`: the VM's tags afterwards (reference §4.6).
public struct TagResult: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// Its tags now, sorted.
    public var tags: [String]

    enum CodingKeys: String, CodingKey { case name = "vm_name", tags }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "tag without vm_name") }
        self.name = name
        tags = container.lenientStrings(.tags)
    }
}
