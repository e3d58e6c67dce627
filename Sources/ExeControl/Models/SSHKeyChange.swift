/// The result of `ssh-key add`, `remove` and `rename` (reference §4.11).
public struct SSHKeyChange: Sendable, Hashable, Codable {
    /// The key.
    public var publicKey: String?
    /// `SHA256:…`.
    public var fingerprint: String?
    /// Its name (after a rename: the new name).
    public var name: String?
    /// The name before a rename.
    public var oldName: String?
    /// `added`, `deleted` or `renamed`.
    public var status: String
    /// Restrictions stored with the key (`add`), as sent.
    public var permissions: JSONValue?

    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key", fingerprint, name, oldName = "old_name", status, permissions
    }
    private enum AlternateKeys: String, CodingKey { case newName = "new_name" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        guard let status = container.lenientString(.status) else { throw MissingKey(description: "ssh-key result without status") }
        self.status = status
        publicKey = container.lenientString(.publicKey)
        fingerprint = container.lenientString(.fingerprint)
        name = alternate.lenientString(.newName) ?? container.lenientString(.name)
        oldName = container.lenientString(.oldName)
        permissions = container.lenient(JSONValue.self, .permissions)
    }
}
