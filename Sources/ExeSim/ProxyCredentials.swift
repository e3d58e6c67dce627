import Foundation

/// The credentials a request to a VM URL carries, read the way exeprox reads
/// them (`exeweb/proxy.go`: `proxyBearer`, `parseBearer`, `GetProxyAuth`):
/// a bearer token from `X-Exedev-Authorization` first, then
/// `Authorization`; else HTTP Basic with the token as the password (the
/// user name is ignored). Cookies are not simulated (there is no web login).
struct ProxyCredentials: Sendable {
    /// The bearer token and the header it came from.
    var bearer: (token: String, header: String)?
    /// The Basic password.
    var basicPassword: String?
    /// Both headers carry one identical value: exeprox refuses the request
    /// as ambiguous.
    var ambiguous: Bool
    /// The request has an `Authorization` or `X-Exedev-Authorization`
    /// header (an API client: a refusal is a 401, not a login redirect).
    var hasAuthorizationHeader: Bool

    static let exeDevHeader = "X-Exedev-Authorization"

    init(headers: [(String, String)]) {
        let exe = headers.filter { $0.0.caseInsensitiveCompare(Self.exeDevHeader) == .orderedSame }.map(\.1)
        let auth = headers.filter { $0.0.caseInsensitiveCompare("Authorization") == .orderedSame }.map(\.1)
        ambiguous = exe.contains { !$0.isEmpty && auth.contains($0) }
        hasAuthorizationHeader = !(exe.first ?? "").isEmpty || !(auth.first ?? "").isEmpty
        bearer = nil
        for (name, values) in [(Self.exeDevHeader, exe), ("Authorization", auth)] where bearer == nil {
            for value in values {
                if let token = Self.parseBearer(value) {
                    bearer = (token, name)
                    break
                }
            }
        }
        basicPassword = auth.first.flatMap(Self.parseBasicPassword)
    }

    /// `parseBearer`: a case-insensitive `Bearer ` prefix, the rest trimmed.
    static func parseBearer(_ value: String) -> String? {
        let prefix = "bearer "
        guard value.utf8.count >= prefix.utf8.count, value.prefix(prefix.count).lowercased() == prefix else { return nil }
        return value.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
    }

    /// Go's `Request.BasicAuth`: `Basic ` (any case) and base64 of
    /// `user:password`.
    static func parseBasicPassword(_ value: String) -> String? {
        let prefix = "basic "
        guard value.count >= prefix.count, value.prefix(prefix.count).lowercased() == prefix,
            let data = Data(base64Encoded: String(value.dropFirst(prefix.count))),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return String(text[text.index(after: colon)...])
    }

    /// Whether `token` is shaped like an exe.dev token (`isExeDevToken`):
    /// such tokens never reach the VM.
    static func isExeDevToken(_ token: String) -> Bool {
        token.hasPrefix("exe0.") || token.hasPrefix("exe1.") || token.hasPrefix("exeapp_")
    }
}
