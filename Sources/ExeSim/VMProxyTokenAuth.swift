package import Foundation

/// Token authentication at a VM's HTTPS proxy, as `exeweb/proxy.go`
/// `GetProxyAuth`/`ValidateVMToken` do it (https-api.md "Authentication to
/// VMs"): a bearer token in `X-Exedev-Authorization` (preferred) or
/// `Authorization`, else the password of Basic auth, validated as an exe0
/// token (or an exe1 handle of one) signed in namespace `v0@VM.exe.xyz`.
///
/// For the proxy to call per request: on ``Outcome/authenticated`` it strips
/// ``Outcome/consumedHeader`` and adds the `X-ExeDev-*` headers; on
/// ``Outcome/rejected`` it answers with the response; ``Outcome/none``
/// means no token was offered (the proxy's other rules apply).
package struct VMProxyTokenAuth: Sendable {
    /// What a request's credentials amount to.
    package enum Outcome: Sendable {
        /// No bearer token or Basic password was offered.
        case none
        /// A valid token: headers for the VM, and the header the proxy
        /// consumed and must strip (`nil` for Basic auth).
        case authenticated(headers: [(String, String)], consumedHeader: String?)
        /// Refused: status, headers and body to send.
        case rejected(status: Int, headers: [(String, String)], body: String)
    }

    private let store: StateStore
    private let authenticator: TokenAuthenticator

    /// An authenticator for the simulator at `stateDirectory`.
    package init(stateDirectory: String) throws {
        let paths = SimPaths(root: stateDirectory)
        let configuration = try SimConfiguration.load(paths)
        store = StateStore(paths: paths, defaultEmail: configuration.email)
        authenticator = TokenAuthenticator(
            verifier: TokenSignatureVerifier(runner: SyncProcessRunner(), scratchDirectory: paths.root + "/tmp/tokens"))
    }

    /// Checks the credentials in `headers` for the VM named `vm`.
    package func check(headers: [(String, String)], vm: String, now: Date = Date()) -> Outcome {
        func values(_ name: String) -> [String] {
            headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
        }
        let exeDev = values("X-Exedev-Authorization")
        let standard = values("Authorization")
        if exeDev.contains(where: { !$0.isEmpty && standard.contains($0) }) {
            return .rejected(
                status: 400, headers: [("Content-Type", "text/plain; charset=utf-8")],
                body: "Authorization and X-Exedev-Authorization must not be identical (trace \(Self.traceID()))\n")
        }
        let unauthorized = Outcome.rejected(
            status: 401, headers: [("WWW-Authenticate", "Bearer, Basic"), ("Content-Type", "text/plain; charset=utf-8")],
            body: "invalid or missing authentication (trace \(Self.traceID()))\n")
        guard let state = try? store.snapshot() else { return unauthorized }
        var offered = false
        for (name, list) in [("X-Exedev-Authorization", exeDev), ("Authorization", standard)] {
            for value in list {
                guard let token = Self.credential(value, scheme: "bearer") else { continue }
                offered = true
                if let accepted = try? authenticator.authenticate(token, namespace: TokenAuthenticator.vmNamespace(vm), state: state, now: now) {
                    return .authenticated(headers: Self.headers(accepted, state: state), consumedHeader: name)
                }
            }
        }
        for value in standard {
            guard let encoded = Self.credential(value, scheme: "basic"), let decoded = Data(base64Encoded: encoded),
                let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else { continue }
            offered = true
            let password = String(text[text.index(after: colon)...])
            if let accepted = try? authenticator.authenticate(password, namespace: TokenAuthenticator.vmNamespace(vm), state: state, now: now) {
                return .authenticated(headers: Self.headers(accepted, state: state), consumedHeader: nil)
            }
        }
        return offered || !exeDev.isEmpty || !standard.isEmpty ? unauthorized : .none
    }

    /// The value after `scheme ` (case-insensitive scheme), trimmed.
    static func credential(_ value: String, scheme: String) -> String? {
        guard let space = value.firstIndex(of: " "), value[..<space].lowercased() == scheme else { return nil }
        let rest = value[value.index(after: space)...].trimmingCharacters(in: .whitespaces)
        return rest.isEmpty ? nil : rest
    }

    /// What the VM's server receives: `X-ExeDev-UserID`, `X-ExeDev-Email`,
    /// and `X-ExeDev-Token-Ctx` (the token's `ctx`, verbatim) when present.
    static func headers(_ accepted: TokenAuthenticator.Accepted, state: SimState) -> [(String, String)] {
        var headers = [("X-ExeDev-UserID", SimAccount.userID), ("X-ExeDev-Email", state.email)]
        if let ctx = accepted.ctx { headers.append(("X-ExeDev-Token-Ctx", ctx)) }
        return headers
    }

    static func traceID() -> String { (0..<16).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined() }
}

/// The simulated account's fixed identity.
enum SimAccount {
    /// The user id the simulator reports (`X-ExeDev-UserID`).
    static let userID = "usr-exe-sim"
}
