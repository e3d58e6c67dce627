import Foundation
import ExeSystem

/// An exe0 token, `exe0.<base64url payload>.<base64url SSHSIG blob>`,
/// parsed with the checks of `sshkey/token.go` `ParseToken`, in its order
/// and with its messages. The signature is not verified here
/// (``TokenSignatureVerifier`` does that).
struct ExeZeroToken: Sendable {
    static let prefix = "exe0."
    static let maximumSize = 8 * 1024

    /// The exact payload bytes that were signed.
    let payloadBytes: [UInt8]
    let payload: TokenPayload
    /// The signature blob.
    let signature: Data
    /// The signing public key (SSH wire format) embedded in the blob.
    let publicKeyBlob: Data
    /// The namespace the blob claims (checked again by the verifier).
    let namespace: String

    /// `SHA256:...` of the embedded key.
    var fingerprint: String { SHA256Hasher.openSSHFingerprint(ofKeyBlob: publicKeyBlob) }

    init(_ token: String) throws(TokenRefusal) {
        guard token.utf8.count <= Self.maximumSize else { throw TokenRefusal("invalid token: exceeds maximum size") }
        guard token.hasPrefix(Self.prefix) else { throw TokenRefusal("invalid token format: missing exe0. prefix") }
        let rest = token.dropFirst(Self.prefix.count)
        guard let dot = rest.firstIndex(of: ".") else {
            throw TokenRefusal("invalid token format: expected exe0.<payload>.<sigblob>")
        }
        guard let payloadData = Self.base64URL(rest[..<dot]) else {
            throw TokenRefusal("invalid token: payload is not valid base64url")
        }
        let bytes = [UInt8](payloadData)
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0x85, 0xa0]
        if let first = bytes.first, let last = bytes.last, whitespace.contains(first) || whitespace.contains(last) {
            throw TokenRefusal("invalid token: payload must not have leading or trailing whitespace")
        }
        if bytes.contains(0x0a) || bytes.contains(0x0d) { throw TokenRefusal("invalid token: payload must not contain newlines") }
        if bytes.contains(0) { throw TokenRefusal("invalid token: payload must not contain null bytes") }
        guard bytes.first == UInt8(ascii: "{") else { throw TokenRefusal("invalid token: payload must be a JSON object") }
        payload = try TokenPayload.parse(bytes)
        payloadBytes = bytes
        guard let signatureData = Self.base64URL(rest[rest.index(after: dot)...]) else {
            throw TokenRefusal("invalid token: signature is not valid base64url")
        }
        guard let parsed = Self.parseSignature(signatureData) else { throw TokenRefusal("invalid token: malformed signature") }
        signature = signatureData
        publicKeyBlob = parsed.key
        namespace = parsed.namespace
    }

    /// The exp/nbf checks of `ValidateClaims` (`trade`: exp only, as for exe0-to-exe1).
    func checkClaims(now: Date, trade: Bool = false) throws(TokenRefusal) {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        if let exp = payload.exp, exp < seconds { throw TokenRefusal("invalid token: token has expired") }
        if !trade, let nbf = payload.nbf, nbf > seconds { throw TokenRefusal("invalid token: token is not yet valid") }
    }

    /// Go's `base64.RawURLEncoding`: URL alphabet, no padding.
    static func base64URL(_ text: Substring) -> Data? {
        guard !text.contains("="), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return text.isEmpty ? Data() : nil
        }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard standard.count % 4 != 1 else { return nil }
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }

    /// The key and namespace of an SSHSIG blob (PROTOCOL.sshsig), as
    /// `sshsig.ParseSignature` checks it: magic, version 1, hash sha256/sha512.
    static func parseSignature(_ blob: Data) -> (key: Data, namespace: String)? {
        let bytes = [UInt8](blob)
        guard bytes.count > 10, Array(bytes[0..<6]) == Array("SSHSIG".utf8) else { return nil }
        var offset = 6
        func uint32() -> Int? {
            guard offset + 4 <= bytes.count else { return nil }
            let value = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            return value
        }
        func string() -> [UInt8]? {
            guard let length = uint32(), offset + length <= bytes.count else { return nil }
            defer { offset += length }
            return Array(bytes[offset..<(offset + length)])
        }
        guard uint32() == 1, let key = string(), !key.isEmpty, let namespace = string(), string() != nil, let hash = string(),
            ["sha256", "sha512"].contains(String(decoding: hash, as: UTF8.self)), let signature = string(), !signature.isEmpty,
            offset == bytes.count
        else { return nil }
        return (Data(key), String(decoding: namespace, as: UTF8.self))
    }
}
