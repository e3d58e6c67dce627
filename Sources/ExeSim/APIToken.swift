package import Foundation
import ExeSystem

/// exe1 API tokens: `exe1.` and 20–40 base32 characters, an opaque handle
/// the server maps to a key. Only the SHA-256 of a token is stored.
package enum APIToken {
    /// The commands a token may run when `--cmds` is not given.
    package static let defaultCommands = ["help", "ls", "new", "whoami", "ssh-key list", "share show", "exe0-to-exe1"]

    /// The commands of `--cmds=TEXT`: comma-separated names stored as
    /// given (a request is allowed when its canonical command name equals
    /// one of them exactly); the defaults when `TEXT` names none.
    package static func commands(_ text: String) -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return names.isEmpty ? defaultCommands : names
    }

    /// A fresh token.
    package static func generate() -> String { "exe1." + RandomToken.base32(count: 32) }

    /// Whether `token` has the exe1 form.
    package static func isWellFormed(_ token: String) -> Bool {
        guard token.hasPrefix("exe1.") else { return false }
        let body = token.dropFirst(5)
        guard (20...40).contains(body.count) else { return false }
        return body.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) }
    }

    /// The stored form of `token`.
    package static func hash(_ token: String) -> String { SHA256Hasher.hexDigest(Data(token.utf8)) }

    /// Parses `--exp` as the server's `parseDuration` does
    /// (execore/ssh_key_generate_api_key.go): trimmed and lowercased, a
    /// decimal count read like Go's `fmt.Sscanf("%d")` (an optional sign,
    /// digits, anything after them ignored; out of `int64` range is an
    /// error), then a unit `h`, `d`, `w`, `m` (30 days) or `y` (365 days).
    /// The product is a Go `time.Duration`: nanoseconds in an `int64` that
    /// wrap on overflow, and a result that is not positive sets no expiry,
    /// as on the server (`9223372036854775807y` wraps negative: no expiry).
    /// `never` is no expiry (`nil`).
    package static func expiry(_ text: String) -> Result<TimeInterval?, CommandFailure> {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if s.isEmpty || s == "never" { return .success(nil) }
        let invalid = CommandFailure("invalid duration \(GoFlagParser.goQuote(s))")
        guard s.utf8.count >= 2, let unit = s.utf8.last else { return .failure(invalid) }
        guard let count = goScanInt(s.utf8.dropLast()), count > 0 else { return .failure(invalid) }
        let hour: Int64 = 3600 * 1_000_000_000
        let unitNanoseconds: Int64
        switch unit {
        case UInt8(ascii: "h"): unitNanoseconds = hour
        case UInt8(ascii: "d"): unitNanoseconds = 24 * hour
        case UInt8(ascii: "w"): unitNanoseconds = 7 * 24 * hour
        case UInt8(ascii: "m"): unitNanoseconds = 30 * 24 * hour
        case UInt8(ascii: "y"): unitNanoseconds = 365 * 24 * hour
        default:
            return .failure(CommandFailure("invalid duration unit \(GoFlagParser.goQuote(String(decoding: [unit], as: UTF8.self))) (use h, d, w, m, or y)"))
        }
        // Go multiplies time.Duration values without an overflow check.
        let nanoseconds = count &* unitNanoseconds
        guard nanoseconds > 0 else { return .success(nil) }
        return .success(TimeInterval(nanoseconds / 1_000_000_000) + TimeInterval(nanoseconds % 1_000_000_000) / 1e9)
    }

    /// The integer `fmt.Sscanf(text, "%d", &n)` reads: an optional sign
    /// and at least one decimal digit at the start (what follows is not
    /// read); `nil` when there is none or it is out of `int64` range.
    static func goScanInt(_ text: Substring.UTF8View) -> Int64? {
        var bytes = text[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var value: Int64 = 0
        var digits = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { break }
            let digit = Int64(byte - 0x30)
            // Accumulate negatively: -9223372036854775808 fits, its negation does not.
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, underflow) = shifted.subtractingReportingOverflow(digit)
            guard !overflow, !underflow else { return nil }
            value = next
            digits += 1
        }
        guard digits > 0 else { return nil }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }
}
