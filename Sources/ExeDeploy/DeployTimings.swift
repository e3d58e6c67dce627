import ExeSystem
import Foundation

/// How long each step of a deploy took, in order (`build`, `push`,
/// `create` or `update`, `health`, ...), for the timing line and `--json`.
public struct DeployTimings: Sendable, Codable, Equatable {
    /// One measured step.
    public struct Entry: Sendable, Codable, Equatable {
        /// The step: `build`, `push`, `create`, `update`, `health`, `swap`, ...
        public var phase: String
        /// Its duration in seconds.
        public var seconds: Double
    }

    /// The steps in the order they ran (a step that ran twice is summed).
    public private(set) var entries: [Entry] = []
    /// The whole deploy, in seconds.
    public var total: Double = 0

    /// No steps yet.
    public init() {}

    /// Adds `duration` to `phase`.
    public mutating func add(_ phase: String, _ duration: Duration) {
        let seconds = duration.inSeconds
        if let index = entries.firstIndex(where: { $0.phase == phase }) {
            entries[index].seconds += seconds
        } else {
            entries.append(Entry(phase: phase, seconds: seconds))
        }
    }

    /// The seconds `phase` took, if it ran.
    public func seconds(_ phase: String) -> Double? { entries.first { $0.phase == phase }?.seconds }

    /// `timing: build 1.2s, push 0.4s, create 3.1s, health 1.0s, total 6.0s`.
    public var line: String {
        let parts = entries.map { "\($0.phase) \(Self.format($0.seconds))" } + ["total \(Self.format(total))"]
        return "timing: " + parts.joined(separator: ", ")
    }

    static func format(_ seconds: Double) -> String { String(format: "%.1fs", seconds) }
}
