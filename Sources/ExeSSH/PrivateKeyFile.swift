import Foundation

/// What can be told about a private key file without decrypting it: its key
/// type and whether it is protected by a passphrase.
struct PrivateKeyFile: Sendable {
    enum Format: Sendable { case openSSH, pem, unknown }

    var path: String
    var format: Format
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ...; `nil` if unknown.
    var keyType: String?
    var isEncrypted: Bool

    var isRSA: Bool { keyType == "ssh-rsa" }

    /// Reads the key's header. Returns `nil` when the file does not exist.
    static func inspect(path: String) throws -> PrivateKeyFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.keyFile, "cannot read the private key \(path): permission denied")
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            let body = text.components(separatedBy: "\n")
                .filter { !$0.hasPrefix("-----") }
                .joined()
            guard let blob = Data(base64Encoded: body) else {
                return PrivateKeyFile(path: path, format: .openSSH, keyType: nil, isEncrypted: false)
            }
            var reader = SSHWireReader(blob)
            guard reader.skipMagic("openssh-key-v1\0"), let cipher = reader.string(),
                reader.string() != nil,  // kdf name
                reader.string() != nil,  // kdf options
                reader.uint32() != nil,  // number of keys
                let publicBlob = reader.bytes()
            else {
                return PrivateKeyFile(path: path, format: .openSSH, keyType: nil, isEncrypted: false)
            }
            return PrivateKeyFile(
                path: path, format: .openSSH, keyType: HostKey.typeName(inBlob: publicBlob),
                isEncrypted: cipher != "none")
        }
        if text.contains("-----BEGIN") {
            let type: String? =
                text.contains("BEGIN RSA PRIVATE KEY") ? "ssh-rsa"
                : text.contains("BEGIN EC PRIVATE KEY") ? "ecdsa-sha2-nistp256"
                : text.contains("BEGIN DSA PRIVATE KEY") ? "ssh-dss" : nil
            let encrypted = text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("BEGIN ENCRYPTED PRIVATE KEY")
            return PrivateKeyFile(path: path, format: .pem, keyType: type, isEncrypted: encrypted)
        }
        return PrivateKeyFile(path: path, format: .unknown, keyType: nil, isEncrypted: false)
    }
}

/// Reads SSH wire-format values (RFC 4251 §5) from a byte buffer.
struct SSHWireReader {
    private let data: [UInt8]
    private var offset = 0

    init(_ data: Data) { self.data = Array(data) }

    mutating func skipMagic(_ magic: String) -> Bool {
        let bytes = Array(magic.utf8)
        guard data.count >= offset + bytes.count, Array(data[offset..<offset + bytes.count]) == bytes else { return false }
        offset += bytes.count
        return true
    }

    mutating func byte() -> UInt8? {
        guard data.count > offset else { return nil }
        offset += 1
        return data[offset - 1]
    }

    mutating func uint32() -> UInt32? {
        guard data.count >= offset + 4 else { return nil }
        let value = data[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    mutating func bytes() -> Data? {
        guard let length = uint32(), data.count >= offset + Int(length) else { return nil }
        let value = Data(data[offset..<offset + Int(length)])
        offset += Int(length)
        return value
    }

    mutating func string() -> String? {
        bytes().map { String(decoding: $0, as: UTF8.self) }
    }
}
