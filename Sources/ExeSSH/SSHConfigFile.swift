import ExeSystem
import Foundation

/// What an `ssh_config` file says about one host: the options users rely on
/// for `exe.dev` and `*.exe.xyz`.
public struct SSHHostSettings: Sendable, Equatable {
    /// `HostName`: the real host to connect to.
    public var hostName: String?
    /// `User`.
    public var user: String?
    /// `Port`.
    public var port: Int?
    /// `IdentityFile` (all of them, in order, expanded).
    public var identityFiles: [String] = []
    /// `UserKnownHostsFile` (expanded).
    public var userKnownHostsFiles: [String] = []
    /// `StrictHostKeyChecking`, mapped to a policy. `no` maps to
    /// ``HostKeyPolicy/acceptNew``: unlike OpenSSH, a changed key is never accepted.
    public var strictHostKeyChecking: HostKeyPolicy?
    /// `HostKeyAlias`: the `known_hosts` name to check the host key under
    /// (`Host *.exe.xyz` / `HostKeyAlias exe.dev`).
    public var hostKeyAlias: String?
    /// `ConnectTimeout`: how long name lookup and the TCP connection may
    /// take (OpenSSH's whole seconds; `0`, `none` or a bad value leave the
    /// default).
    public var connectTimeout: Duration?

    /// A `ProxyJump` or `ProxyCommand` line for the host (`ProxyJump
    /// bastion`), which this library does not follow; `none` is no proxy.
    /// Callers refuse to connect rather than silently go direct.
    public var proxy: String?

    /// Settings with nothing set.
    public init() {}

    /// The destination for `alias`, after `HostName`, `User` and `Port`.
    public func destination(for alias: String, environment: SSHEnvironment) -> SSHDestination {
        SSHDestination(host: hostName ?? alias, port: port ?? 22, user: user ?? environment.userName)
    }
}

/// A parsed `ssh_config` file (`~/.ssh/config` by default).
///
/// Reads `Host` blocks with patterns (`*`, `?`, `!`), `Include`, `key value`
/// and `key=value` forms and quoted values, with OpenSSH's rule that the
/// first value obtained for an option wins. `Match` blocks are skipped
/// (their conditions are not evaluated).
public struct SSHConfigFile: Sendable {
    struct Block: Sendable {
        var patterns: [String]?  // nil: before any Host line (applies to all)
        var options: [(String, [String])]
    }

    var blocks: [Block]
    let environment: SSHEnvironment

    /// The longest file read (the config and each `Include`d file): 1 MiB.
    /// A longer one is skipped, like a missing one, without being read.
    static let sizeLimit = 1 << 20

    /// The user's `~/.ssh/config`, or an empty file if there is none.
    public static func userDefault(environment: SSHEnvironment = .process) -> SSHConfigFile {
        load(path: environment.homeDirectory + "/.ssh/config", environment: environment)
    }

    /// Reads `path`; a missing file, or one over 1 MiB, reads as empty.
    public static func load(path: String, environment: SSHEnvironment = .process) -> SSHConfigFile {
        var visited = Set<String>()
        return SSHConfigFile(blocks: readBlocks(path: path, environment: environment, depth: 0, visited: &visited), environment: environment)
    }

    /// Parses `text` as an `ssh_config` file.
    public static func parse(_ text: String, environment: SSHEnvironment = .process) -> SSHConfigFile {
        var visited = Set<String>()
        return SSHConfigFile(blocks: parseBlocks(text, environment: environment, depth: 0, visited: &visited), environment: environment)
    }

    private static func readBlocks(path: String, environment: SSHEnvironment, depth: Int, visited: inout Set<String>) -> [Block] {
        guard depth < 8, !visited.contains(path), case .data(let data) = BoundedFile.read(path, limit: sizeLimit) else { return [] }
        visited.insert(path)
        return parseBlocks(String(decoding: data, as: UTF8.self), environment: environment, depth: depth, visited: &visited)
    }

    private static func parseBlocks(_ text: String, environment: SSHEnvironment, depth: Int, visited: inout Set<String>) -> [Block] {
        var blocks = [Block(patterns: nil, options: [])]
        var skipping = false
        for rawLine in text.split(separator: "\n") {
            let words = tokenize(String(rawLine))
            guard let keyword = words.first?.lowercased() else { continue }
            let values = Array(words.dropFirst())
            switch keyword {
            case "host":
                skipping = false
                blocks.append(Block(patterns: values, options: []))
            case "match":
                skipping = !(values.count == 1 && values[0].lowercased() == "all")
                blocks.append(Block(patterns: skipping ? [] : ["*"], options: []))
            case "include":
                guard !skipping else { continue }
                for value in values {
                    var path = environment.expandingTilde(value)
                    if !path.hasPrefix("/") { path = environment.homeDirectory + "/.ssh/" + path }
                    for file in expandGlob(path) {
                        let included = readBlocks(path: file, environment: environment, depth: depth + 1, visited: &visited)
                        // Options before the first Host line of the included file belong to the current block.
                        if let first = included.first, first.patterns == nil {
                            blocks[blocks.count - 1].options += first.options
                            blocks += included.dropFirst()
                        } else {
                            blocks += included
                        }
                    }
                }
            default:
                guard !skipping else { continue }
                blocks[blocks.count - 1].options.append((keyword, values))
            }
        }
        return blocks
    }

    private static func expandGlob(_ path: String) -> [String] {
        guard path.contains("*") || path.contains("?") else { return [path] }
        let directory = (path as NSString).deletingLastPathComponent
        let pattern = (path as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { WildcardPattern.matches(pattern, $0) }.sorted().map { directory + "/" + $0 }
    }

    /// Splits a line into words: `#` comments, `key=value`, double quotes.
    static func tokenize(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var started = false
        for character in line {
            if inQuotes {
                if character == "\"" { inQuotes = false } else { current.append(character) }
                continue
            }
            switch character {
            case "\"":
                inQuotes = true
                started = true
            case "#" where !started && current.isEmpty:
                return words
            case " ", "\t", "\r":
                if started { words.append(current); current = ""; started = false }
            case "=" where words.isEmpty:
                if started { words.append(current); current = ""; started = false }
            default:
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }

    /// The settings that apply to `host` (an alias as typed by the user).
    public func settings(for host: String) -> SSHHostSettings {
        var settings = SSHHostSettings()
        var seen = Set<String>()
        var identityFiles: [String] = []
        var knownHosts: [String]?
        for block in blocks where Self.applies(block.patterns, to: host) {
            for (keyword, values) in block.options {
                guard let value = values.first else { continue }
                if keyword == "identityfile" {
                    identityFiles.append(value)
                    continue
                }
                guard !seen.contains(keyword) else { continue }
                seen.insert(keyword)
                switch keyword {
                case "hostname": settings.hostName = value
                case "user": settings.user = value
                case "port": settings.port = Int(value)
                case "hostkeyalias": settings.hostKeyAlias = value
                case "connecttimeout":
                    if let seconds = Int(value), seconds > 0, seconds <= DurationText.maximumSeconds {
                        settings.connectTimeout = .seconds(seconds)
                    }
                case "userknownhostsfile": knownHosts = values
                case "proxyjump", "proxycommand":
                    if settings.proxy == nil, value.lowercased() != "none" {
                        settings.proxy = (keyword == "proxyjump" ? "ProxyJump " : "ProxyCommand ") + values.joined(separator: " ")
                    }
                case "stricthostkeychecking":
                    switch value.lowercased() {
                    case "yes", "ask": settings.strictHostKeyChecking = .strict
                    case "accept-new", "no", "off": settings.strictHostKeyChecking = .acceptNew
                    default: break
                    }
                default: break
                }
            }
        }
        let hostName = settings.hostName.map { $0.replacingOccurrences(of: "%h", with: host) } ?? host
        settings.hostName = settings.hostName == nil ? nil : hostName
        let remoteUser = settings.user ?? environment.userName
        let port = settings.port ?? 22
        settings.identityFiles = identityFiles.map { expandTokens($0, host: hostName, user: remoteUser, port: port) }
        settings.userKnownHostsFiles = (knownHosts ?? []).filter { $0.lowercased() != "none" }
            .map { expandTokens($0, host: hostName, user: remoteUser, port: port) }
        return settings
    }

    private static func applies(_ patterns: [String]?, to host: String) -> Bool {
        guard let patterns else { return true }
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if WildcardPattern.matches(String(pattern.dropFirst()).lowercased(), host.lowercased()) { return false }
            } else if WildcardPattern.matches(pattern.lowercased(), host.lowercased()) {
                matched = true
            }
        }
        return matched
    }

    private func expandTokens(_ value: String, host: String, user: String, port: Int) -> String {
        var result = ""
        var iterator = environment.expandingTilde(value).makeIterator()
        while let character = iterator.next() {
            guard character == "%", let token = iterator.next() else {
                result.append(character)
                continue
            }
            switch token {
            case "d": result += environment.homeDirectory
            case "u": result += environment.userName
            case "h": result += host
            case "r": result += user
            case "p": result += String(port)
            case "%": result += "%"
            default: result += "%" + String(token)
            }
        }
        return result
    }
}
