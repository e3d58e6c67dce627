import Foundation
import ExeSystem

/// One parsed `known_hosts` file, checked the way OpenSSH checks it.
///
/// Parsed in Swift rather than through `libssh2_knownhost_*`: libssh2 1.10
/// stops at the first line it cannot read, treats `@cert-authority` and
/// `@revoked` lines as literal host names, and compares keys of different
/// types unless told the type. Here every entry carries its key type, bad
/// lines are skipped (and reported), `@revoked` keys are refused and
/// `@cert-authority` lines are ignored.
package struct KnownHostsFile: Sendable {
    /// How an entry names its hosts.
    enum HostMatcher: Sendable {
        /// `|1|salt|hash`: HMAC-SHA1 of the host name under the salt.
        case hashed(salt: Data, hash: Data)
        /// Comma-separated patterns, with `*`, `?` and `!` negation.
        case patterns([String])
    }

    package struct Entry: Sendable {
        var marker: String?
        var hosts: HostMatcher
        var key: HostKey
        var line: Int
    }

    var path: String
    var entries: [Entry]
    /// Line numbers that could not be parsed.
    var skippedLines: [Int]
    /// Set when the file is longer than ``sizeLimit`` and was not read:
    /// verifying against it fails rather than trusting a partial read.
    var tooLarge = false

    /// The longest `known_hosts` file read: 8 MiB (some 20,000 RSA or
    /// 80,000 Ed25519 keys). A longer one is not read at all.
    static let sizeLimit = 8 << 20

    /// Reads `path`; a missing file reads as empty, one longer than
    /// ``sizeLimit`` as empty with ``tooLarge`` set.
    static func load(path: String) -> KnownHostsFile {
        switch BoundedFile.read(path, limit: sizeLimit) {
        case .missing:
            return KnownHostsFile(path: path, entries: [], skippedLines: [])
        case .tooLarge:
            return KnownHostsFile(path: path, entries: [], skippedLines: [], tooLarge: true)
        case .data(let data):
            return parse(String(decoding: data, as: UTF8.self), path: path)
        }
    }

    package static func parse(_ text: String, path: String) -> KnownHostsFile {
        var entries: [Entry] = []
        var skipped: [Int] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var marker: String?
            if let first = fields.first, first.hasPrefix("@") {
                marker = first
                fields.removeFirst()
            }
            guard fields.count >= 3, let blob = Data(base64Encoded: fields[2]) else {
                skipped.append(index + 1)
                continue
            }
            let hostField = fields[0]
            let matcher: HostMatcher
            if hostField.hasPrefix("|1|") {
                let parts = hostField.split(separator: "|", omittingEmptySubsequences: true)
                guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                    let hash = Data(base64Encoded: String(parts[2]))
                else {
                    skipped.append(index + 1)
                    continue
                }
                matcher = .hashed(salt: salt, hash: hash)
            } else {
                matcher = .patterns(hostField.split(separator: ",").map(String.init))
            }
            entries.append(Entry(marker: marker, hosts: matcher, key: HostKey(type: fields[1], blob: blob), line: index + 1))
        }
        return KnownHostsFile(path: path, entries: entries, skippedLines: skipped)
    }

    /// Entries (without a `@cert-authority` marker) that name `hostName`.
    package func entries(for hostName: String) -> [Entry] {
        entries.filter { $0.marker != "@cert-authority" && Self.matches($0.hosts, hostName) }
    }

    static func matches(_ matcher: HostMatcher, _ hostName: String) -> Bool {
        switch matcher {
        case .hashed(let salt, let hash):
            return HMAC.sha1(key: salt, message: Data(hostName.utf8)) == hash
        case .patterns(let patterns):
            var matched = false
            for pattern in patterns {
                if pattern.hasPrefix("!") {
                    if WildcardPattern.matches(String(pattern.dropFirst()), hostName.lowercased()) { return false }
                } else if WildcardPattern.matches(pattern.lowercased(), hostName.lowercased()) {
                    matched = true
                }
            }
            return matched
        }
    }

    /// The line to append for a newly trusted key.
    static func line(hostName: String, key: HostKey) -> String {
        "\(hostName) \(key.openSSHText)\n"
    }
}

/// OpenSSH-style glob matching with `*` and `?`, used by `known_hosts` and
/// `ssh_config` host patterns.
enum WildcardPattern {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0
        var ti = 0
        var starP = -1
        var starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                starP = pi
                starT = ti
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starT += 1
                ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
