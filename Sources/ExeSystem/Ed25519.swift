internal import CLibCrypto
public import Foundation

/// Ed25519 signatures (RFC 8032) and SHA-512 from the system's libcrypto.
public enum Ed25519 {
    /// Why a signature could not be made.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The 64-byte signature of `message` under the 32-byte private `seed`.
    public static func signature(seed: Data, message: Data) throws(Failure) -> Data {
        guard seed.count == 32 else { throw Failure(description: "an ed25519 private key has 32 bytes, not \(seed.count)") }
        let key = seed.withUnsafeBytes { bytes in
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), 32)
        }
        guard let key else { throw Failure(description: "libcrypto refused the ed25519 key") }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw Failure(description: "libcrypto: out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw Failure(description: "libcrypto: ed25519 sign init failed") }
        var output = [UInt8](repeating: 0, count: 64)
        var length = 64
        let rc = message.withUnsafeBytes { bytes in
            EVP_DigestSign(context, &output, &length, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        guard rc == 1, length == 64 else { throw Failure(description: "libcrypto: ed25519 signing failed") }
        return Data(output)
    }

    /// The 32-byte public key of the 32-byte private `seed`.
    public static func publicKey(seed: Data) throws(Failure) -> Data {
        guard seed.count == 32 else { throw Failure(description: "an ed25519 private key has 32 bytes, not \(seed.count)") }
        let key = seed.withUnsafeBytes { bytes in
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), 32)
        }
        guard let key else { throw Failure(description: "libcrypto refused the ed25519 key") }
        defer { EVP_PKEY_free(key) }
        var output = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &output, &length) == 1, length == 32 else {
            throw Failure(description: "libcrypto: cannot derive the ed25519 public key")
        }
        return Data(output)
    }
}

/// SHA-512 from the system's libcrypto.
public enum SHA512Hasher {
    /// The 64-byte digest of `data`.
    public static func digest(_ data: Data) -> Data {
        var output = [UInt8](repeating: 0, count: 64)
        data.withUnsafeBytes { bytes in
            _ = SHA512(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &output)
        }
        return Data(output)
    }
}
