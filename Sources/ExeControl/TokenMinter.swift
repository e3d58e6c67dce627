public import ExeSSH
public import ExeSystem
import Foundation

/// Mints `exe0` tokens locally (https-api.md "Authentication"): the
/// permissions payload signed as an SSH signature (`SSHSIG`) in namespace
/// `v0@exe.dev` — or `v0@VM.exe.xyz` for a token a VM's proxy accepts —
/// with a key registered on the account, with no round trip:
/// `exe0.<base64url payload>.<base64url signature blob>`.
///
/// ```swift
/// let signer = try Ed25519KeyFileSigner(path: NSHomeDirectory() + "/.ssh/id_ed25519")
/// let token = try TokenMinter(signer: signer).mint(TokenPermissions(expires: now + 3600, commands: ["ls"]))
/// ```
public struct TokenMinter: Sendable {
    /// The token prefix.
    public static let prefix = "exe0."
    /// The largest token the server accepts (`MaxTokenSize`, 8 KiB).
    public static let maximumTokenBytes = 8 * 1024
    /// The signing namespace of `/exec` tokens.
    public static let apiNamespace = "v0@exe.dev"

    /// The signing namespace of tokens for `vm`'s HTTPS proxy.
    public static func vmNamespace(_ vm: VMName, boxHost: String = "exe.xyz") -> String { "v0@\(vm.rawValue).\(boxHost)" }

    /// The key that signs.
    public let signer: any SSHDataSigner

    /// A minter signing with `signer`.
    public init(signer: any SSHDataSigner) { self.signer = signer }

    /// The token for `permissions` in `namespace`.
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` for bad permissions or
    ///   a token over 8 KiB; ``ControlError/Kind/authenticationFailed`` when
    ///   the key cannot sign.
    public func mint(_ permissions: TokenPermissions, namespace: String = TokenMinter.apiNamespace) throws(ControlError) -> Secret {
        let payload = try permissions.payload()
        let blob: Data
        do { blob = try SSHSignature.sign(payload, namespace: namespace, with: signer) } catch {
            throw ControlError(.authenticationFailed, "cannot sign the token: \(error.message)")
        }
        let token = Self.prefix + Self.base64URL(payload) + "." + Self.base64URL(blob)
        guard token.utf8.count <= Self.maximumTokenBytes else {
            throw ControlError(
                .invalidArgument, "the token would be \(token.utf8.count) bytes; the server accepts at most \(Self.maximumTokenBytes)")
        }
        return Secret(token)
    }

    /// Base64url without padding (RFC 4648 §5).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
