package import Foundation
import ExeSystem

/// An OpenSSH public key line (`type base64 [comment]`), checked the way
/// `ssh.ParseAuthorizedKey` checks it: a known type and a blob whose
/// first field names the same type.
package struct SSHPublicKey: Sendable, Equatable {
    /// The key type (`ssh-ed25519`, ...).
    package let type: String
    /// The decoded key blob.
    package let blob: Data
    /// The comment, possibly empty.
    package let comment: String

    static let knownTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "ssh-dss",
    ]

    /// Why a key line was refused.
    package struct ParseError: Error, Sendable, Equatable {
        /// The reason.
        package let reason: String
    }

    /// Parses a key line.
    package init(line: String) throws(ParseError) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 2 else { throw ParseError(reason: "ssh: no key found") }
        guard Self.knownTypes.contains(fields[0]) else { throw ParseError(reason: "ssh: unknown key algorithm: \(fields[0])") }
        guard let blob = Data(base64Encoded: fields[1]) else { throw ParseError(reason: "illegal base64 data") }
        guard blob.count > 4 else { throw ParseError(reason: "ssh: short read") }
        let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard length > 0, 4 + length <= blob.count,
            String(decoding: blob[4..<(4 + length)], as: UTF8.self) == fields[0]
        else { throw ParseError(reason: "ssh: key type does not match the key data") }
        type = fields[0]
        self.blob = blob
        comment = fields.dropFirst(2).joined(separator: " ")
    }

    /// Makes an ed25519 public key from 32 raw bytes.
    package init(ed25519 raw: [UInt8], comment: String = "") {
        var blob = Data()
        func append(_ bytes: [UInt8]) {
            let count = UInt32(bytes.count)
            blob.append(contentsOf: [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)])
            blob.append(contentsOf: bytes)
        }
        append(Array("ssh-ed25519".utf8))
        append(raw)
        type = "ssh-ed25519"
        self.blob = blob
        self.comment = comment
    }

    /// `type base64`, without the comment.
    package var authorizedKeyText: String { "\(type) \(blob.base64EncodedString())" }

    /// `SHA256:...`.
    package var fingerprint: String { SHA256Hasher.openSSHFingerprint(ofKeyBlob: blob) }
}
