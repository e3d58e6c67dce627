/// The range `stat` summarizes.
public enum StatRange: String, Sendable, Hashable, CaseIterable, Codable {
    /// The last 24 hours.
    case day = "24h"
    /// The last 7 days.
    case week = "7d"
    /// The last 30 days.
    case month = "30d"
}
