import Foundation

/// Sizes as the server parses them: a bare number means GiB; suffixes
/// B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB are all binary; decimals allowed.
package enum SizeArgument {
    /// One GiB.
    package static let gibibyte: Int64 = 1 << 30

    /// `parseSize` of `execore/ssh_command_handlers.go`: a plain integer is
    /// GiB; otherwise a decimal number and a unit (B, K/KB/KIB, M/MB/MIB,
    /// G/GB/GIB, T/TB/TIB, any case), all binary. The failure is the
    /// server's text (`invalid size: "x"`, `unknown unit: "X"`).
    package static func parseSize(_ text: String) -> Result<Int64, SizeProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .failure(SizeProblem("empty size string")) }
        if trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int64(trimmed) {
            let (bytes, overflow) = whole.multipliedReportingOverflow(by: gibibyte)
            return overflow ? .failure(SizeProblem("invalid size: \(GoFlagParser.goQuote(trimmed))")) : .success(bytes)
        }
        let numberPart = trimmed.prefix { ($0.isASCII && $0.isNumber) || $0 == "." }
        guard !numberPart.isEmpty, let number = Double(numberPart) else {
            return .failure(SizeProblem("invalid size: \(GoFlagParser.goQuote(trimmed))"))
        }
        let unit = trimmed.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces).uppercased()
        let multiplier: Double
        switch unit {
        case "B", "BYTE", "BYTES": multiplier = 1
        case "K", "KB", "KIB": multiplier = 1024
        case "M", "MB", "MIB": multiplier = 1024 * 1024
        case "G", "GB", "GIB": multiplier = Double(gibibyte)
        case "T", "TB", "TIB": multiplier = Double(gibibyte) * 1024
        default: return .failure(SizeProblem("unknown unit: \(GoFlagParser.goQuote(unit))"))
        }
        let bytes = number * multiplier
        guard bytes < 9e18 else { return .failure(SizeProblem("invalid size: \(GoFlagParser.goQuote(trimmed))")) }
        return .success(Int64(bytes))
    }

    /// Why ``parseSize(_:)`` refused a size, in the server's words.
    package struct SizeProblem: Error, CustomStringConvertible, Sendable {
        package let description: String
        init(_ description: String) { self.description = description }
    }

    /// A size for messages: whole GiB as `N GB`, otherwise one decimal.
    package static func display(_ bytes: Int64) -> String {
        if bytes % gibibyte == 0 { return "\(bytes / gibibyte) GB" }
        return String(format: "%.1f GB", Double(bytes) / Double(gibibyte))
    }
}
