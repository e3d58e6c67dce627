import Foundation

/// A request on its way through ``VMProxy``: its head, parsed, and the
/// header rewriting of exeprox's reverse-proxy director
/// (`exeweb/proxy.go` `proxyViaSSHPortForward`).
struct ProxiedRequest: Sendable {
    var method: String
    var target: String
    var version: String
    var headers: [(String, String)]

    /// The path (before `?`).
    var path: String { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target }

    /// The raw query (after `?`), empty when none.
    var query: String {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: mark)...])
    }

    /// `RelativeRedirect`: the path and the query.
    var relativeRedirect: String { query.isEmpty ? path : path + "?" + query }

    /// `getScheme`: `X-Forwarded-Proto` when it says `http` or `https`,
    /// else the connection's (plain HTTP here).
    var scheme: String {
        let proto = header("X-Forwarded-Proto")
        return proto == "https" || proto == "http" ? proto! : "http"
    }

    /// The first value of `name` in the query.
    func queryValue(_ name: String) -> String? { GoURL.parseQuery(query).first { $0.0 == name }?.1 }

    /// This request without `name` in its query (the rest re-encoded, as
    /// `url.Values.Encode` does).
    func removingQueryValue(_ name: String) -> ProxiedRequest {
        var copy = self
        let rest = GoURL.encode(GoURL.parseQuery(query).filter { $0.0 != name })
        copy.target = rest.isEmpty ? path : path + "?" + rest
        return copy
    }

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? { headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }

    private mutating func remove(_ name: String) {
        headers.removeAll { $0.0.caseInsensitiveCompare(name) == .orderedSame }
    }

    private mutating func set(_ name: String, _ value: String) {
        remove(name)
        headers.append((name, value))
    }

    /// The director's rewrite: the consumed auth header removed, every
    /// `X-ExeDev-*` header removed (`X-Exedev-Source-Vm` kept,
    /// `clearExeDevHeaders`), any header carrying an exe.dev token removed
    /// (`stripExeDevAuth`), `X-Forwarded-Proto/Host/For` set
    /// (`setForwardedHeaders`), and for an authenticated request
    /// `X-ExeDev-UserID` and `X-ExeDev-Email`. Hop-by-hop connection
    /// headers are replaced by `Connection: close` (kept for `Upgrade`).
    mutating func rewriteHeaders(authenticated: ProxyUser?, email: String, consumedHeader: String?, clientIP: String = "127.0.0.1") {
        if let consumedHeader { remove(consumedHeader) }
        headers.removeAll { name, _ in
            let lowered = name.lowercased()
            return lowered.hasPrefix("x-exedev-") && lowered != "x-exedev-source-vm"
        }
        if headers.contains(where: { name, value in
            name.caseInsensitiveCompare("Authorization") == .orderedSame
                && (ProxyCredentials.parseBearer(value).map(ProxyCredentials.isExeDevToken) == true
                    || ProxyCredentials.parseBasicPassword(value).map(ProxyCredentials.isExeDevToken) == true)
        }) {
            remove("Authorization")
        }
        let host = header("Host") ?? ""
        let priorForwardedFor = header("X-Forwarded-For")?.trimmingCharacters(in: .whitespaces) ?? ""
        set("X-Forwarded-Proto", scheme)
        if !host.isEmpty { set("X-Forwarded-Host", host) }
        set("X-Forwarded-For", priorForwardedFor.isEmpty ? clientIP : priorForwardedFor + ", " + clientIP)
        if let authenticated {
            set("X-ExeDev-UserID", authenticated.userID)
            set("X-ExeDev-Email", email)
        }
        let upgrade = header("Upgrade") != nil && (header("Connection")?.lowercased().contains("upgrade") ?? false)
        if !upgrade {
            remove("Connection")
            remove("Keep-Alive")
            remove("Proxy-Connection")
            headers.append(("Connection", "close"))
        }
    }

    /// The request line and headers, ending with the blank line.
    func serializedHead() -> String {
        var text = "\(method) \(target) \(version)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }
}
