import Foundation
import ExeSystem

/// Who a request to a VM URL is (`exeweb/proxy.go` `GetProxyAuth`).
struct ProxyUser: Equatable, Sendable {
    /// The account's user id (`X-ExeDev-UserID`).
    let userID: String
    /// The header whose bearer token authenticated the request (removed
    /// before forwarding, `consumedAuthHeader`); `nil` for Basic.
    var consumedHeader: String? = nil
}

/// Checks a request's credentials against the account: a VM-scoped API key
/// (`ssh-key generate-api-key --vm VM`, namespace `v0@VM.<box host>` in
/// `execore/ssh_key_generate_api_key.go`) authenticates to that VM's URL
/// only (`ValidateVMToken`); an account-wide key, a revoked or expired one,
/// or one scoped to another VM authenticates no one. An exe0 token (or the
/// exe1 handle of one, `exe0-to-exe1`) signed in namespace `v0@VM.exe.xyz`
/// authenticates to that VM (https-api.md "Authentication to VMs"). App
/// tokens (`exeapp_`) and login cookies are not simulated.
struct ProxyAuthentication {
    let state: SimState
    let now: Date
    /// Checks exe0 tokens; `nil`: only API keys are accepted.
    var tokens: TokenAuthenticator? = nil

    /// The simulator's single user's id: stable, derived from the account's
    /// email (exe.dev's ids are opaque strings too).
    static func userID(email: String) -> String { "usr" + SHA256Hasher.hexDigest(Data(email.utf8)).prefix(16) }

    /// Bearer first, then Basic's password.
    func authenticate(_ credentials: ProxyCredentials, vmName: String) -> ProxyUser? {
        if let bearer = credentials.bearer, !bearer.token.isEmpty, var user = validateVMToken(bearer.token, vmName: vmName) {
            user.consumedHeader = bearer.header
            return user
        }
        if let password = credentials.basicPassword, let user = validateVMToken(password, vmName: vmName) {
            return user
        }
        return nil
    }

    private func validateVMToken(_ token: String, vmName: String) -> ProxyUser? {
        let hash = APIToken.hash(token)
        if let tokens, token.hasPrefix("exe0.") || (token.hasPrefix("exe1.") && !state.keys.contains { $0.tokenHash == hash }) {
            guard (try? tokens.authenticate(token, namespace: TokenAuthenticator.vmNamespace(vmName), state: state, now: now)) != nil
            else { return nil }
            return ProxyUser(userID: Self.userID(email: state.email))
        }
        guard APIToken.isWellFormed(token) else { return nil }
        guard let key = state.keys.first(where: { $0.tokenHash == hash }), key.vm == vmName else { return nil }
        if let expiry = key.expiresAt, expiry <= now { return nil }
        return ProxyUser(userID: Self.userID(email: state.email))
    }
}
