public import Foundation

/// An SSH key registered to the account (`whoami`, `ssh-key list`; reference §4.10, §4.11).
public struct SSHKey: Sendable, Hashable, Codable {
    /// The public key line.
    public var publicKey: String
    /// `SHA256:…`.
    public var fingerprint: String?
    /// The key's name; absent when empty.
    public var name: String?
    /// When it was added.
    public var addedAt: Date?
    /// When it was last used.
    public var lastUsedAt: Date?
    /// Whether it is the key of this session (never over HTTPS).
    public var isCurrent: Bool

    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key", fingerprint, name, addedAt = "added_at", lastUsedAt = "last_used_at"
        case isCurrent = "current"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let key = container.lenientString(.publicKey) else { throw MissingKey(description: "an SSH key without public_key") }
        publicKey = key
        fingerprint = container.lenientString(.fingerprint)
        name = container.lenientString(.name)
        addedAt = container.lenientDate(.addedAt)
        lastUsedAt = container.lenientDate(.lastUsedAt)
        isCurrent = container.lenientBool(.isCurrent) ?? false
    }
}

/// The result of `ssh-key list`.
struct SSHKeyList: Decodable {
    let keys: [SSHKey]
    enum CodingKeys: String, CodingKey { case keys = "ssh_keys" }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.keys) else { throw MissingKey(description: "ssh-key list without ssh_keys") }
        keys = container.lenientArray(SSHKey.self, .keys)
    }
}
