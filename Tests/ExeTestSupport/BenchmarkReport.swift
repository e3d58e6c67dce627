import Foundation

/// What the benchmarks in `Benchmarks/` share: reading `--flag N` options
/// and printing rows of times with ratios to a baseline.
public enum BenchmarkReport {
    /// The integer after `flag` on the command line, or `fallback`.
    public static func option(_ flag: String, default fallback: Int, arguments: [String] = CommandLine.arguments) -> Int {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return fallback }
        return Int(arguments[index + 1]) ?? fallback
    }

    /// `duration` in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// One row: the name, the total time, the time per operation, and the
    /// ratio of `duration` to `baseline` (above 1: slower than the baseline).
    public static func row(_ name: String, _ duration: Duration, operations: Int, unit: String, baseline: Duration, width: Int = 48) {
        let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
        print(
            padded
                + String(
                    format: " %8.3f s  %7.2f ms/%@  %6.2fx", seconds(duration), seconds(duration) * 1000 / Double(operations), unit,
                    seconds(duration) / seconds(baseline)))
    }

    /// Prints whether an expected bound holds: `ratio` against `limit`
    /// (a ratio of this project's time to the other's; at most `limit` is met).
    public static func target(_ description: String, ratio: Double, limit: Double) {
        let verdict = ratio <= limit ? "met" : "NOT MET"
        print(String(format: "  target %@: ratio %.2f (limit %.2f): %@", description, ratio, limit, verdict))
    }
}
