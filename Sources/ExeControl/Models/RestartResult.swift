/// The result of `restart` (reference §4.4).
public struct RestartResult: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// `restarted`.
    public var status: String

    enum CodingKeys: String, CodingKey { case name = "vm_name", status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "restart without vm_name") }
        self.name = name
        status = container.lenientString(.status) ?? "restarted"
    }
}
