import Foundation

/// Durations as people write them in flags and config files: `45s`, `30m`,
/// `2h`, `1d`, combinations such as `1h30m`, or a bare number of seconds.
public enum DurationText {
    /// Parses `text`; `nil` when it is not a positive duration in this form.
    public static func parse(_ text: String) -> Duration? {
        var total = 0
        var number = ""
        var sawUnit = false
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        if !number.isEmpty {
            guard !sawUnit, let seconds = Int(number) else { return nil }
            total += seconds
        }
        guard total > 0 else { return nil }
        return .seconds(total)
    }

    /// `1h30m` style; `0s` for zero.
    public static func format(_ duration: Duration) -> String {
        var seconds = Int(duration.components.seconds)
        var out = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            out += "\(seconds / size)\(unit)"
            seconds %= size
        }
        return out.isEmpty ? "0s" : out
    }
}
