import Foundation

/// Short human forms for table cells.
enum DisplayFormat {
    /// `8 GiB`, `512 MiB`, or `-`.
    static func bytes(_ bytes: Int?) -> String {
        guard let bytes, bytes > 0 else { return "-" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return value.rounded() == value ? "\(Int(value)) \(units[unit])" : String(format: "%.1f %@", value, units[unit])
    }

    /// Tags joined with commas, cut after `limit` characters to the tags
    /// that fit and `+N` for the rest; `-` for none.
    static func tags(_ tags: [String], limit: Int = 24) -> String {
        guard !tags.isEmpty else { return "-" }
        var shown: [String] = []
        var length = 0
        for tag in tags {
            let added = (shown.isEmpty ? 0 : 1) + tag.count
            if !shown.isEmpty, length + added > limit { break }
            shown.append(tag)
            length += added
        }
        let rest = tags.count - shown.count
        return shown.joined(separator: ",") + (rest > 0 ? ",+\(rest)" : "")
    }

    /// The value, or `-`.
    static func text(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "-" }
        return value
    }

    /// `2026-05-01 12:00` (UTC), or `-`.
    static func date(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// A number with at most two decimals, or `-`.
    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value.rounded() == value ? String(Int(value)) : String(format: "%.2f", value)
    }
}
