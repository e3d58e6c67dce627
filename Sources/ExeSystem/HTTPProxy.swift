public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP proxy that requests tunnel through with `CONNECT` (RFC 9110
/// §9.3.6): the TLS handshake and everything after it stay end to end, so
/// the proxy sees only the host and port.
///
/// Read from the environment as curl and Go programs read it:
/// `https_proxy`/`HTTPS_PROXY` for `https://` URLs, `http_proxy`/`HTTP_PROXY`
/// for `http://` ones, lowercase first; `no_proxy`/`NO_PROXY` lists hosts
/// reached directly. As in Go's `httpproxy`, `localhost` and loopback
/// addresses are always reached directly.
public struct HTTPProxy: Sendable, Equatable, CustomStringConvertible {
    /// Where the proxy listens.
    public var address: NetworkAddress
    /// `USER:PASSWORD` for `Proxy-Authorization: Basic`, from the proxy
    /// URL's user info (percent-decoded).
    public var credentials: Secret?

    /// Creates a proxy.
    public init(address: NetworkAddress, credentials: Secret? = nil) {
        self.address = address
        self.credentials = credentials
    }

    /// `HOST:PORT`, never the credentials.
    public var description: String { address.description }

    /// Parses a proxy variable's value: `http://[USER:PASSWORD@]HOST[:PORT]`
    /// or `HOST[:PORT]` (port 80 when absent, as curl assumes for
    /// `http://`). `variable` names the setting in errors, which never
    /// repeat the value (it may hold a password).
    ///
    /// - Throws: ``NetworkError/Kind/invalidRequest`` for another scheme
    ///   (a TLS connection to the proxy itself is not supported) or a value
    ///   that does not parse.
    public static func parse(_ value: String, variable: String) throws(NetworkError) -> HTTPProxy {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let text = trimmed.contains("://") ? trimmed : "http://" + trimmed
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw NetworkError(.invalidRequest, "\(variable) is not a proxy URL (expected http://[USER:PASSWORD@]HOST:PORT)")
        }
        guard scheme == "http" else {
            throw NetworkError(.invalidRequest, "\(variable) names a \(scheme):// proxy; only http:// proxies (which tunnel TLS with CONNECT) are supported")
        }
        let port = components.port ?? 80
        guard (1...65535).contains(port), components.path.isEmpty || components.path == "/" else {
            throw NetworkError(.invalidRequest, "\(variable) is not a proxy URL (expected http://[USER:PASSWORD@]HOST:PORT)")
        }
        var credentials: Secret?
        if let user = components.percentEncodedUser {
            let password = components.percentEncodedPassword ?? ""
            credentials = Secret((user.removingPercentEncoding ?? user) + ":" + (password.removingPercentEncoding ?? password))
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return HTTPProxy(address: NetworkAddress(host: bareHost, port: port), credentials: credentials)
    }

    /// The proxy the environment names for `url`, or `nil` when the URL's
    /// host is reached directly (no proxy set, `no_proxy`, loopback).
    ///
    /// `no_proxy` entries are separated by commas or spaces; `*` matches
    /// every host; `example.com` and `.example.com` match the host and its
    /// subdomains; `HOST:PORT` matches that port only; IP addresses match
    /// exactly.
    public static func forURL(_ url: URL, environment: [String: String]) throws(NetworkError) -> HTTPProxy? {
        guard let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty else { return nil }
        let names = scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : scheme == "http" ? ["http_proxy", "HTTP_PROXY"] : []
        guard let variable = names.first(where: { !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }),
            let value = environment[variable]
        else { return nil }
        let host = (rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost).lowercased()
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        if LoopbackHost.contains(host) { return nil }
        let exclusions = environment["no_proxy"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["NO_PROXY"] ?? ""
        if excludes(exclusions, host: host, port: port) { return nil }
        return try parse(value, variable: variable)
    }

    static func excludes(_ list: String, host: String, port: Int) -> Bool {
        for raw in list.split(whereSeparator: { $0 == "," || $0 == " " }) {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            if entry == "*" { return true }
            var entryPort: Int?
            if let colon = entry.lastIndex(of: ":"), !entry.hasSuffix("]"), entry.firstIndex(of: ":") == colon,
                let number = Int(entry[entry.index(after: colon)...])
            {
                entryPort = number
                entry = String(entry[..<colon])
            }
            if entry.hasPrefix("[") && entry.hasSuffix("]") { entry = String(entry.dropFirst().dropLast()) }
            if let entryPort, entryPort != port { continue }
            if entry.hasPrefix("*.") { entry = String(entry.dropFirst()) }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == domain || host.hasSuffix("." + domain) { return true }
        }
        return false
    }
}
