/// The result of `rename` (reference §4.5).
public struct RenameResult: Sendable, Hashable, Codable {
    /// The name before.
    public var oldName: String
    /// The name after.
    public var newName: String
    /// `renamed`, or `unchanged` when the names were equal.
    public var status: String

    enum CodingKeys: String, CodingKey { case oldName = "old_name", newName = "new_name", status }

    /// Creates a result.
    public init(oldName: String, newName: String, status: String) {
        self.oldName = oldName
        self.newName = newName
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let old = container.lenientString(.oldName), let new = container.lenientString(.newName) else {
            throw MissingKey(description: "rename without old_name/new_name")
        }
        oldName = old
        newName = new
        status = container.lenientString(.status) ?? "renamed"
    }
}
