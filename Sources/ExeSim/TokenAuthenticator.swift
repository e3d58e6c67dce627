import Foundation
import ExeSystem

/// Validates exe0 tokens (and exe1 handles of exe0 tokens) the way
/// `execore/exec_handler.go` `validateToken` and `sshkey.ValidateToken` do:
/// format and payload rules, `exp`/`nbf`, a registered key with the
/// embedded fingerprint, and the SSHSIG signature in the expected namespace.
/// Failures that touch the key or signature all say `invalid token`, as the
/// server does, so they reveal nothing.
struct TokenAuthenticator: Sendable {
    /// A token that passed.
    struct Accepted: Sendable {
        /// The account key that signed it.
        let key: AccountKey
        /// The payload's `cmds` (`nil`: the defaults).
        let cmds: [String]?
        /// The payload's raw `ctx`.
        let ctx: String?
    }

    let verifier: TokenSignatureVerifier

    /// The namespace of `/exec` tokens (`"v0@" + WebHost`).
    static let apiNamespace = "v0@exe.dev"

    /// The namespace of tokens for `vm`'s proxy (`"v0@" + vm + "." + BoxHost`).
    static func vmNamespace(_ vm: String) -> String { "v0@\(vm).exe.xyz" }

    /// Validates `token` for `namespace` at `now` against `state`.
    func authenticate(_ token: String, namespace: String, state: SimState, now: Date) throws(TokenRefusal) -> Accepted {
        var token = token
        if token.hasPrefix("exe1.") {
            guard APIToken.isWellFormed(token) else { throw TokenRefusal("invalid token") }
            guard let handle = state.exe1Tokens?.first(where: { $0.token == token }), handle.expiresAt > now else {
                throw TokenRefusal("invalid token")
            }
            token = handle.exe0
        }
        let parsed = try ExeZeroToken(token)
        try parsed.checkClaims(now: now)
        guard let key = state.key(fingerprint: parsed.fingerprint) else { throw TokenRefusal("invalid token") }
        guard verifier.verify(message: parsed.payloadBytes, signature: parsed.signature, publicKey: key.publicKey, namespace: namespace)
        else { throw TokenRefusal("invalid token") }
        return Accepted(key: key, cmds: parsed.payload.cmds, ctx: parsed.payload.ctx)
    }
}
