internal import CLibCrypto
public import Foundation

/// An incremental SHA-256 hasher backed by the system's libcrypto.
///
/// Feed it any number of byte chunks, then read ``finalize()`` once. Used
/// for content hashes (sync manifests), host key fingerprints and tokens.
/// Not thread-safe: one owner at a time.
public final class SHA256Hasher {
    private let context: OpaquePointer

    /// Creates a hasher with an empty input.
    public init() {
        guard let context = EVP_MD_CTX_new() else {
            fatalError("libcrypto could not allocate a digest context")
        }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the input.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds the contents of `data` to the input.
    public func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Adds the UTF-8 bytes of `string` to the input.
    public func update(_ string: String) {
        var copy = string
        copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Returns the 32-byte digest of everything added so far. The hasher is
    /// spent afterwards.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }

    /// The SHA-256 digest of `data`.
    public static func digest(_ data: Data) -> [UInt8] {
        let hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    /// The SHA-256 digest of `data` as lowercase hexadecimal.
    public static func hexDigest(_ data: Data) -> String {
        digest(data).hexString
    }

    /// An OpenSSH-style fingerprint, `SHA256:` followed by unpadded base64.
    public static func openSSHFingerprint(ofKeyBlob blob: Data) -> String {
        let encoded = Data(digest(blob)).base64EncodedString()
        return "SHA256:" + encoded.replacingOccurrences(of: "=", with: "")
    }
}

extension Sequence where Element == UInt8 {
    /// The bytes as lowercase hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
