import Foundation

/// A point in time given on the command line for `--exp`/`--nbf`: a
/// duration from now (`90s`, `15min`, `1h`, `7d`, `2w`), a Unix time
/// (`1922918400`), a date (`2030-12-05`, midnight UTC) or an RFC 3339 time
/// (`2030-12-05T10:00:00Z`).
enum TokenTime {
    /// The Unix time `text` names, relative to `now`.
    static func parse(_ text: String, now: Date) throws(CLIUsageError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed), trimmed.count >= 9 { return seconds }
        let units: [(String, Int64)] = [("min", 60), ("s", 1), ("h", 3600), ("d", 86400), ("w", 7 * 86400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            if let count = Int64(trimmed.dropLast(suffix.count)), count >= 0, count <= 200 * 365 * 86400 / scale {
                return Int64(now.timeIntervalSince1970.rounded(.down)) + count * scale
            }
        }
        if trimmed.hasSuffix("m"), Int64(trimmed.dropLast()) != nil {
            throw CLIUsageError("\"\(text)\" is ambiguous: write Nmin for minutes or Nd for days")
        }
        let dateOnly = DateFormatter()
        dateOnly.locale = Locale(identifier: "en_US_POSIX")
        dateOnly.timeZone = TimeZone(identifier: "UTC")
        dateOnly.dateFormat = "yyyy-MM-dd"
        if let date = dateOnly.date(from: trimmed) { return Int64(date.timeIntervalSince1970) }
        if let date = ISO8601DateFormatter().date(from: trimmed) { return Int64(date.timeIntervalSince1970) }
        throw CLIUsageError(
            "invalid time \"\(text)\": use a duration (90s, 15min, 1h, 7d, 2w), a Unix time, a date (2030-12-05) or RFC 3339 (2030-12-05T10:00:00Z)")
    }
}
