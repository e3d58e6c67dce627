/// The range `stat` summarizes.
public enum StatRange: String, Sendable, Hashable, CaseIterable, Codable {
    case day = "24h"
    case week = "7d"
    case month = "30d"
}
