import Foundation

/// Durations as people write them in flags and config files: `45s`, `30m`,
/// `2h`, `1d`, combinations such as `1h30m`, or a bare number of seconds.
///
/// Input comes from flags, environment variables and files in a
/// repository, so parsing is total: every text gives a duration or `nil`,
/// the arithmetic is checked, and nothing longer than ``maximum`` (100
/// years) is accepted, so a duration can be added to a date or turned into
/// nanoseconds anywhere without overflowing.
public enum DurationText {
    /// The longest duration accepted: 36500 days.
    public static let maximumSeconds = 36500 * 86400
    /// ``maximumSeconds`` as a duration.
    public static let maximum: Duration = .seconds(maximumSeconds)

    /// Parses `text`; `nil` when it is not a positive duration in this form
    /// or is longer than ``maximum``.
    public static func parse(_ text: String) -> Duration? {
        var total = 0
        var number = 0
        var digits = 0
        var sawUnit = false
        for byte in text.trimmingCharacters(in: .whitespaces).utf8 {
            if byte >= 0x30, byte <= 0x39 {
                // Digits beyond the maximum are refused as they come, so
                // the value never overflows.
                number = number * 10 + Int(byte - 0x30)
                digits += 1
                guard number <= maximumSeconds else { return nil }
                continue
            }
            guard digits > 0 else { return nil }
            let unit: Int
            switch byte {
            case UInt8(ascii: "s"): unit = 1
            case UInt8(ascii: "m"): unit = 60
            case UInt8(ascii: "h"): unit = 3600
            case UInt8(ascii: "d"): unit = 86400
            default: return nil
            }
            let (seconds, overflow) = number.multipliedReportingOverflow(by: unit)
            guard !overflow, seconds <= maximumSeconds - total else { return nil }
            total += seconds
            number = 0
            digits = 0
            sawUnit = true
        }
        if digits > 0 {
            guard !sawUnit, number <= maximumSeconds - total else { return nil }
            total += number
        }
        guard total > 0 else { return nil }
        return .seconds(total)
    }

    /// `1h30m` style; `0s` for zero (and for negative durations).
    public static func format(_ duration: Duration) -> String {
        var seconds = max(0, duration.components.seconds)
        var out = ""
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            out += "\(seconds / size)\(unit)"
            seconds %= size
        }
        return out.isEmpty ? "0s" : out
    }
}
