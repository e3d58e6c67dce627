public import Foundation
import ExeSystem

/// exe1 API tokens: `exe1.` and 20–40 base32 characters, an opaque handle
/// the server maps to a key. Only the SHA-256 of a token is stored.
public enum APIToken {
    /// The commands a token may run when `--cmds` is not given.
    public static let defaultCommands = ["help", "ls", "new", "whoami", "ssh-key list", "share show", "exe0-to-exe1"]

    /// The commands of `--cmds=TEXT`: comma-separated names stored as
    /// given (a request is allowed when its canonical command name equals
    /// one of them exactly); the defaults when `TEXT` names none.
    public static func commands(_ text: String) -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.isEmpty ? defaultCommands : names
    }

    /// A fresh token.
    public static func generate() -> String { "exe1." + RandomToken.base32(count: 32) }

    /// Whether `token` has the exe1 form.
    public static func isWellFormed(_ token: String) -> Bool {
        guard token.hasPrefix("exe1.") else { return false }
        let body = token.dropFirst(5)
        guard (20...40).contains(body.count) else { return false }
        return body.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) }
    }

    /// The stored form of `token`.
    public static func hash(_ token: String) -> String { SHA256Hasher.hexDigest(Data(token.utf8)) }

    /// Parses `--exp`: `Nh`, `Nd`, `Nw`, `Nm` (30 days), `Ny` or `never`
    /// (`nil` interval). Returns `.failure` for anything else.
    public static func expiry(_ text: String) -> Result<TimeInterval?, CommandFailure> {
        let failure = CommandFailure("invalid --exp value \(GoFlagParser.goQuote(text)): use Nh, Nd, Nw, Nm, Ny or never (e.g. 30d)")
        if text == "never" { return .success(nil) }
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return .failure(failure) }
        let seconds: TimeInterval
        switch unit {
        case "h": seconds = 3600
        case "d": seconds = 86400
        case "w": seconds = 7 * 86400
        case "m": seconds = 30 * 86400
        case "y": seconds = 365 * 86400
        default: return .failure(failure)
        }
        return .success(Double(count) * seconds)
    }
}
