public import Foundation
import ExeSystem

/// A public host key as presented by a server or recorded in `known_hosts`.
public struct HostKey: Sendable, Hashable {
    /// The key's algorithm name as OpenSSH writes it, e.g. `ssh-ed25519`.
    public var type: String
    /// The raw SSH wire-format key blob.
    public var blob: Data

    /// Creates a host key.
    public init(type: String, blob: Data) {
        self.type = type
        self.blob = blob
    }

    /// The OpenSSH SHA-256 fingerprint, `SHA256:` + unpadded base64.
    public var fingerprint: String { SHA256Hasher.openSSHFingerprint(ofKeyBlob: blob) }

    /// The key as a `known_hosts` / `authorized_keys` field pair: `type base64`.
    public var openSSHText: String { "\(type) \(blob.base64EncodedString())" }

    /// The key type named inside the blob (its first SSH string), if readable.
    static func typeName(inBlob blob: Data) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, blob.count >= 4 + length else { return nil }
        return String(data: blob.subdata(in: blob.startIndex + 4..<blob.startIndex + 4 + length), encoding: .utf8)
    }
}
