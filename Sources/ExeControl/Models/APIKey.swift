public import ExeSystem
public import Foundation

/// A new HTTPS API token: the result of `ssh-key generate-api-key`
/// (reference §4.11). The token is a `Secret`; revoke it with
/// `ssh-key remove <label>`.
public struct APIKey: Sendable, Hashable, Codable {
    /// The key's label (its name in `ssh-key list`).
    public var label: String
    /// The `exe1.…` token.
    public var token: Secret
    /// `v0@exe.dev`, or `v0@<vm>.exe.xyz` for a VM-scoped token.
    public var namespace: String?
    /// The fingerprint of the generated key.
    public var fingerprint: String?
    /// When it expires; `nil` for never.
    public var expiresAt: Date?

    enum CodingKeys: String, CodingKey { case label, token, namespace, fingerprint, expiresAt = "expires_at" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let token = container.lenientString(.token) else { throw MissingKey(description: "generate-api-key without token") }
        self.token = Secret(token)
        label = container.lenientString(.label) ?? ""
        namespace = container.lenientString(.namespace)
        fingerprint = container.lenientString(.fingerprint)
        expiresAt = container.lenientDate(.expiresAt)
    }

    /// Encodes the token in clear: encoding an `APIKey` is how the one who
    /// asked for it receives it. Never log the encoded form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(token.reveal(), forKey: .token)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        try container.encodeIfPresent(fingerprint, forKey: .fingerprint)
        try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
    }
}
