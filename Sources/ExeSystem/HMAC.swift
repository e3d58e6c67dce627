internal import CLibCrypto
public import Foundation

/// Keyed hashes from the system's libcrypto.
public enum HMAC {
    /// HMAC-SHA1 of `message` under `key`: what OpenSSH uses for hashed
    /// `known_hosts` entries (`|1|salt|hash`).
    public static func sha1(key: Data, message: Data) -> Data {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                _ = CLibCrypto.HMAC(
                    EVP_sha1(), keyBytes.baseAddress, Int32(keyBytes.count),
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                    &output, &length)
            }
        }
        return Data(output.prefix(Int(length)))
    }
}
