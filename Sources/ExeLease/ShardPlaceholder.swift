import Foundation

/// What one shard of a sharded run (`lease run --shards N`) is told about
/// itself: `{index}` and `{total}` in the command's words, and
/// `EXE_SHARD_INDEX` / `EXE_SHARD_TOTAL` in its environment, so
/// `npx playwright test --shard={index}/{total}` or
/// `pytest --splits {total} --group {index}` work as written.
public struct ShardPlaceholder: Sendable, Equatable {
    /// The environment variable holding the shard's number (1...total).
    public static let indexVariable = "EXE_SHARD_INDEX"
    /// The environment variable holding the number of shards.
    public static let totalVariable = "EXE_SHARD_TOTAL"

    /// This shard's number, 1...``total``.
    public var index: Int
    /// How many shards the run has.
    public var total: Int

    /// The placeholders of shard `index` of `total`.
    public init(index: Int, total: Int) {
        self.index = index
        self.total = total
    }

    /// `words` with every `{index}` and `{total}` replaced. Other braces
    /// are left as they are.
    public func substitute(_ words: [String]) -> [String] {
        words.map { word in
            word.replacingOccurrences(of: "{index}", with: String(index)).replacingOccurrences(of: "{total}", with: String(total))
        }
    }

    /// The variables the shard's command gets.
    public var environment: [String: String] {
        [Self.indexVariable: String(index), Self.totalVariable: String(total)]
    }
}
