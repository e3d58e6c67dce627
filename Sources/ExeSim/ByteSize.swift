import Foundation

/// Sizes as the server parses them: a bare number means GiB; suffixes
/// B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB are all binary; decimals allowed.
package enum ByteSize {
    /// One GiB.
    package static let gibibyte: Int64 = 1 << 30

    /// The number of bytes `text` names, or `nil` if it is not a size.
    package static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberPart = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard !numberPart.isEmpty, let number = Double(numberPart), number >= 0 else { return nil }
        let multiplier: Double
        switch unit {
        case "": multiplier = Double(gibibyte)
        case "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1024
        case "m", "mb", "mib": multiplier = 1024 * 1024
        case "g", "gb", "gib": multiplier = Double(gibibyte)
        case "t", "tb", "tib": multiplier = Double(gibibyte) * 1024
        default: return nil
        }
        let bytes = number * multiplier
        guard bytes < 9e18 else { return nil }
        return Int64(bytes)
    }

    /// A size for messages: whole GiB as `N GB`, otherwise one decimal.
    package static func display(_ bytes: Int64) -> String {
        if bytes % gibibyte == 0 { return "\(bytes / gibibyte) GB" }
        return String(format: "%.1f GB", Double(bytes) / Double(gibibyte))
    }
}
