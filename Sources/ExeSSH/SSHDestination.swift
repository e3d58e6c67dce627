import Foundation

/// Where to connect: a host, a port and the user to log in as.
public struct SSHDestination: Sendable, Hashable, CustomStringConvertible {
    /// A host name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The user name to authenticate as.
    public var user: String

    /// Creates a destination.
    public init(host: String, port: Int = 22, user: String) {
        self.host = host
        self.port = port
        self.user = user
    }

    /// Parses `[user@]host[:port]`, `[user@][v6]:port` or a bare IPv6 address.
    ///
    /// - Parameters:
    ///   - text: the destination as a user writes it.
    ///   - defaultPort: the port when the text names none.
    ///   - defaultUser: the user when the text names none.
    /// - Throws: ``SSHError/Kind/invalidConfiguration`` for empty hosts, bad
    ///   ports, and text that could be mistaken for an option (a leading `-`).
    public static func parse(_ text: String, defaultUser: String, defaultPort: Int = 22) throws -> SSHDestination {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var user = defaultUser
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port = defaultPort
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw SSHError(.invalidConfiguration, "invalid destination \"\(text)\": missing ]")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else {
                    throw SSHError(.invalidConfiguration, "invalid port in destination \"\(text)\"")
                }
                port = value
            } else if !after.isEmpty {
                throw SSHError(.invalidConfiguration, "invalid destination \"\(text)\"")
            }
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]) else {
                throw SSHError(.invalidConfiguration, "invalid port in destination \"\(text)\"")
            }
            port = value
        }
        guard !host.isEmpty, !host.hasPrefix("-"),
            !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "?" || $0 == "#" })
        else {
            throw SSHError(.invalidConfiguration, "invalid host in destination \"\(text)\"")
        }
        guard (1...65535).contains(port) else {
            throw SSHError(.invalidConfiguration, "port \(port) is out of range (1-65535)")
        }
        guard !user.isEmpty, !user.hasPrefix("-") else {
            throw SSHError(.invalidConfiguration, "invalid user in destination \"\(text)\"")
        }
        return SSHDestination(host: host, port: port, user: user)
    }

    /// The name OpenSSH uses for this host in `known_hosts`: `host` on port
    /// 22, `[host]:port` otherwise.
    public var knownHostsName: String { port == 22 ? host : "[\(host)]:\(port)" }

    /// `user@host:port`, with brackets around IPv6 addresses.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(user)@\(shownHost):\(port)"
    }
}
