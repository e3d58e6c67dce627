public import Foundation

/// Something that signs arbitrary bytes with an SSH key, as `ssh-keygen -Y
/// sign` does: a private key file or an ssh-agent identity.
public protocol SSHDataSigner: Sendable {
    /// The public key in SSH wire format (`string type, ...`).
    var publicKeyBlob: Data { get }
    /// The hash algorithm SSHSIG must name for this key (`sha512`).
    var signatureHashAlgorithm: String { get }
    /// The SSH signature blob of `data` (`string algorithm, string signature`).
    func sign(_ data: Data) throws(SSHError) -> Data
}

extension SSHDataSigner {
    /// The key's type name (`ssh-ed25519`, ...).
    public var keyType: String { HostKey.typeName(inBlob: publicKeyBlob) ?? "unknown" }

    /// `type base64` of the public key.
    public var authorizedKeyText: String { keyType + " " + publicKeyBlob.base64EncodedString() }
}

/// Builds SSH wire-format values (RFC 4251 §5).
struct SSHWireWriter {
    var data = Data()

    mutating func uint32(_ value: UInt32) {
        data.append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)])
    }

    mutating func string(_ bytes: Data) {
        uint32(UInt32(bytes.count))
        data.append(bytes)
    }

    mutating func string(_ text: String) { string(Data(text.utf8)) }

    mutating func byte(_ value: UInt8) { data.append(value) }
}
