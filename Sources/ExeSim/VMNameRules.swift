import Foundation

/// The real server's VM name rules: 5–52 characters matching
/// `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`, minus reserved words and patterns.
package enum VMNameRules {
    /// The message for a malformed name.
    package static let invalidMessage =
        "invalid VM name, must be 5-52 characters: start with a lowercase letter, then lowercase letters or digits, with optional single hyphen separators (e.g., a-vm-name)"
    /// The message for a well-formed but reserved name.
    package static let unavailableMessage = "invalid VM name: this VM name is not available"

    /// Whether `name` has the right length and shape.
    package static func isWellFormed(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 5, bytes.count <= 52 else { return false }
        guard let first = bytes.first, isLower(first) else { return false }
        var previousHyphen = false
        for byte in bytes.dropFirst() {
            if byte == UInt8(ascii: "-") {
                if previousHyphen { return false }
                previousHyphen = true
            } else if isLower(byte) || isDigit(byte) {
                previousHyphen = false
            } else {
                return false
            }
        }
        return !previousHyphen
    }

    /// Whether a well-formed `name` is refused as "not available".
    package static func isReserved(_ name: String) -> Bool {
        if reserved.contains(name) { return true }
        if blockedSubstrings.contains(where: { name.contains($0) }) { return true }
        if matchesPortSuffix(name) { return true }
        if matchesPrefixDigits(name, prefixes: ["p", "port"]) { return true }
        if matchesPrefixDigits(name, prefixes: ["na"], requireDigit: true) { return true }
        return false
    }

    /// The error for `name`, or `nil` when it is acceptable.
    package static func problem(_ name: String) -> String? {
        if !isWellFormed(name) { return invalidMessage }
        if isReserved(name) { return unavailableMessage }
        return nil
    }

    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// `-(p|port)[0-9]+$`
    private static func matchesPortSuffix(_ name: String) -> Bool {
        for suffix in ["-port", "-p"] {
            guard let range = name.range(of: suffix, options: .backwards) else { continue }
            let tail = name[range.upperBound...]
            if !tail.isEmpty, tail.utf8.allSatisfy(isDigit) { return true }
        }
        return false
    }

    /// `^(prefix)[0-9]*$` (or `[0-9]+` when `requireDigit`).
    private static func matchesPrefixDigits(_ name: String, prefixes: [String], requireDigit: Bool = false) -> Bool {
        for prefix in prefixes where name.hasPrefix(prefix) {
            let tail = name.dropFirst(prefix.count)
            if requireDigit && tail.isEmpty { continue }
            if tail.utf8.allSatisfy(isDigit) { return true }
        }
        return false
    }

    /// Substrings never allowed in a name (spam words, infrastructure).
    static let blockedSubstrings = ["exelet", "viagra", "cialis", "xanax", "oxycodone", "tramadol", "adderall", "pharmacy"]

    /// Names refused as not available: the reference's examples, job words
    /// and a selection of infrastructure, product and placeholder words.
    static let reserved: Set<String> = [
        "admin", "proxy", "shelley", "docker", "mail", "team", "team-int", "my-vm", "hello-world",
        "job", "jobs", "career", "careers", "apply", "hire", "hiring", "roles", "join", "position", "positions",
        "opening", "openings", "email", "login", "logout", "setup", "share", "shell", "server", "client", "daemon",
        "cloud", "cache", "debug", "error", "image", "index", "route", "serve", "start", "store", "token", "trust",
        "users", "agent", "agents", "exedev", "exe-dev", "secret", "secrets", "config", "network", "gateway",
        "router", "podman", "kubernetes", "nginx", "redis", "vault", "console", "dashboard", "settings", "control",
        "monitor", "metrics", "whoami", "profile", "username", "password", "example", "examples", "sample",
        "samples", "hello", "world", "foobar", "foo-bar", "lorem", "ipsum", "ssh-key", "ssh-keys", "sshkey",
        "my-box", "mybox", "box-name", "test-name", "test-user", "admin-user", "support", "billing", "invite",
        "teams", "status", "metadata", "registry", "xterm", "vscode", "sandbox", "container", "service", "socket",
    ]
}
