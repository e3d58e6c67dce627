import Foundation

/// `humanize.Time` of github.com/dustin/go-humanize (times.go), which
/// `formatAge` in execore/ssh_share.go prints: `now`, `1 second ago`,
/// `5 minutes ago`, `1 hour ago`, `3 days ago`, ... (`from now` for a time
/// in the future).
enum HumanizedTime {
    private static let second: Int64 = 1_000_000_000
    private static let minute = 60 * second
    private static let hour = 60 * minute
    private static let day = 24 * hour
    private static let week = 7 * day
    private static let month = 30 * day
    private static let year = 12 * month
    private static let longTime = 37 * year

    /// `defaultMagnitudes`: below `limit`, print `format` with the count in units of `divisor`.
    private static let magnitudes: [(limit: Int64, format: String, divisor: Int64)] = [
        (second, "now", second),
        (2 * second, "1 second %s", 1),
        (minute, "%d seconds %s", second),
        (2 * minute, "1 minute %s", 1),
        (hour, "%d minutes %s", minute),
        (2 * hour, "1 hour %s", 1),
        (day, "%d hours %s", hour),
        (2 * day, "1 day %s", 1),
        (week, "%d days %s", day),
        (2 * week, "1 week %s", 1),
        (month, "%d weeks %s", week),
        (2 * month, "1 month %s", 1),
        (year, "%d months %s", month),
        (18 * month, "1 year %s", 1),
        (2 * year, "2 years %s", 1),
        (longTime, "%d years %s", year),
        (Int64.max, "a long while %s", 1),
    ]

    /// How long ago `then` was at `now`, as `humanize.Time` words it.
    static func describe(_ then: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(then)
        let label = seconds < 0 ? "from now" : "ago"
        let magnitude = abs(seconds) * 1e9
        let difference = magnitude >= Double(Int64.max) ? Int64.max : Int64(magnitude)
        let entry = magnitudes.first { $0.limit > difference } ?? magnitudes[magnitudes.count - 1]
        return entry.format
            .replacingOccurrences(of: "%d", with: String(difference / entry.divisor))
            .replacingOccurrences(of: "%s", with: label)
    }
}
