import Foundation

/// The checks of `execore/integration_validate.go`: integration names and
/// http-proxy target URLs, with the server's wording.
enum IntegrationRules {
    /// `validateIntegrationName`: the error text, or `nil` when valid.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "name is required" }
        if name == "notify" { return "name \"notify\" is reserved for the built-in notification integration" }
        if name.hasPrefix("exe-") { return "names starting with \"exe-\" are reserved" }
        if name.utf8.count > 63 { return "name must be 63 characters or fewer" }
        let scalars = Array(name.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "a"..."z", "0"..."9": continue
            case "-" where index > 0 && index < scalars.count - 1: continue
            case "A"..."Z": return "name must be lowercase (got \(GoFlagParser.goQuote(name)))"
            case "-": return "name must not start or end with a hyphen"
            default: return "name contains invalid character \(goRuneQuote(scalar)); use lowercase letters, digits, and hyphens"
            }
        }
        return nil
    }

    /// `validateTargetURL`: the error text, or `nil` when valid.
    static func targetProblem(_ raw: String) -> String? {
        guard let components = URLComponents(string: raw) else { return "invalid URL: parse \(GoFlagParser.goQuote(raw)): invalid URL" }
        let scheme = components.scheme ?? ""
        if scheme != "https" { return "target URL scheme must be https, got \(GoFlagParser.goQuote(scheme))" }
        guard var host = components.host, !host.isEmpty else { return "target URL must have a host" }
        while host.hasSuffix(".") { host.removeLast() }
        if isIPAddress(host) { return "target URL must use a hostname, not an IP address" }
        if components.port == 0 { return "target URL port must be between 1 and 65535" }
        let lower = host.lowercased()
        if lower == "localhost" || lower.hasSuffix(".localhost") { return "target URL must not point to localhost" }
        for suffix in [".local", ".internal", ".ts.net"] where lower.hasSuffix(suffix) {
            return "target URL must not use a \(suffix) domain"
        }
        let path = components.percentEncodedPath
        if !path.isEmpty, path != "/" {
            return "target URL must not contain a path (got \(GoFlagParser.goQuote(components.path))); the proxy appends the request path automatically"
        }
        return nil
    }

    /// Whether the target carries basic-auth credentials (`https://u:p@host`).
    static func hasUserInfo(_ raw: String) -> Bool {
        URLComponents(string: raw)?.user != nil
    }

    private static func isIPAddress(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.contains(":") { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }

    /// Go's `%q` of a rune: `'x'`.
    static func goRuneQuote(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "'": return #"'\''"#
        case "\\": return #"'\\'"#
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f { return String(format: "'\\x%02x'", scalar.value) }
            return "'\(scalar)'"
        }
    }
}
