public import Foundation

/// The signed permissions of an `exe0` token (https-api.md "Granular
/// permissions"): the payload the server parses in `sshkey/token.go`.
///
/// Only `exp`, `nbf`, `cmds` and `ctx` exist; `exp`/`nbf` are whole Unix
/// seconds in [946684800, 4102444800]; `cmds` holds non-empty command
/// names; `ctx` is any JSON without duplicate keys. ``payload()`` checks all
/// of it and writes compact JSON, so a token this type makes is never
/// refused for its payload.
public struct TokenPermissions: Sendable, Equatable {
    /// The earliest timestamp the server accepts (2000-01-01, `MinUnixTimestamp`).
    public static let earliestTimestamp: Int64 = 946_684_800
    /// The latest timestamp the server accepts (2100-01-01, `MaxUnixTimestamp`).
    public static let latestTimestamp: Int64 = 4_102_444_800
    /// The server's default `cmds` when a token names none (`DefaultTokenCmds`).
    public static let defaultCommands = ["help", "ls", "new", "whoami", "ssh-key list", "share show", "exe0-to-exe1"]

    /// After this Unix time the token is refused; `nil`: never.
    public var expires: Int64?
    /// Before this Unix time the token is refused; `nil`: always valid.
    public var notBefore: Int64?
    /// The commands allowed (canonical names, subcommands as `"ssh-key list"`);
    /// `nil`: the server's defaults. An empty list allows nothing.
    public var commands: [String]?
    /// JSON passed through to the VM (`X-ExeDev-Token-Ctx`); `nil`: none.
    public var context: String?

    /// Creates permissions.
    public init(expires: Int64? = nil, notBefore: Int64? = nil, commands: [String]? = nil, context: String? = nil) {
        self.expires = expires
        self.notBefore = notBefore
        self.commands = commands
        self.context = context
    }

    /// The compact JSON payload, e.g. `{"exp":1922918400,"cmds":["ls"]}`.
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` for a timestamp out of
    ///   range, an empty command name, or `ctx` that is not valid JSON or has
    ///   duplicate keys.
    public func payload() throws(ControlError) -> Data {
        var members: [String] = []
        for (name, value) in [("exp", expires), ("nbf", notBefore)] {
            guard let value else { continue }
            guard (Self.earliestTimestamp...Self.latestTimestamp).contains(value) else {
                throw ControlError(
                    .invalidArgument,
                    "\(name) \(value) is out of the valid range (\(Self.earliestTimestamp)...\(Self.latestTimestamp): years 2000 to 2100)")
            }
            members.append("\"\(name)\":\(value)")
        }
        if let commands {
            guard !commands.contains(where: \.isEmpty) else { throw ControlError(.invalidArgument, "cmds elements must be non-empty") }
            members.append("\"cmds\":[" + commands.map(Self.jsonString).joined(separator: ",") + "]")
        }
        if let context {
            let compact: String
            do { compact = try StrictJSON.compacted(context) } catch {
                throw ControlError(.invalidArgument, "ctx is not valid JSON: \(error.description)")
            }
            members.append("\"ctx\":" + compact)
        }
        return Data(("{" + members.joined(separator: ",") + "}").utf8)
    }

    /// `text` as a JSON string (quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
