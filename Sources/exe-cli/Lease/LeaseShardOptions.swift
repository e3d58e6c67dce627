import ArgumentParser
import ExeLease

/// `lease run`'s options for sharded runs (`--shards N`, `--junit GLOB`, ...).
struct LeaseShardOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Run the command as N shards at once: one synced base lease plus N-1 `cp --standalone` copies (max \(ShardedRunRequest.maximumShards)).",
            valueName: "N"))
    var shards: Int?
    @Option(
        help: ArgumentHelp(
            "With --shards: collect the JUnit XML files matching this glob (relative to the remote work dir) from every shard and merge them.",
            valueName: "GLOB"))
    var junit: String?
    @Option(name: .customLong("junit-out"), help: ArgumentHelp("Where the merged JUnit report goes (default .exe/junit.xml in the repository).", valueName: "FILE"))
    var junitOut: String?
    @Flag(name: .customLong("quiet-shards"), help: "With --shards: keep each shard's output and print it only for shards that did not pass.")
    var quietShards = false

    init() {}

    /// Whether this is a sharded run.
    var isSharded: Bool { shards != nil }

    func validate() throws {
        if let shards, !(1...ShardedRunRequest.maximumShards).contains(shards) {
            throw ValidationError("--shards must be between 1 and \(ShardedRunRequest.maximumShards), not \(shards)")
        }
        if shards == nil {
            for (flag, given) in [("--junit", junit != nil), ("--junit-out", junitOut != nil), ("--quiet-shards", quietShards)] where given {
                throw ValidationError("\(flag) needs --shards N")
            }
        }
        if let junit {
            do { _ = try JUnitPattern(junit) } catch { throw ValidationError(error.message) }
        }
        if junitOut != nil && junit == nil { throw ValidationError("--junit-out needs --junit GLOB") }
        if let junitOut, junitOut.isEmpty { throw ValidationError("--junit-out: give a file path") }
    }

    /// Checks the run command's other options against sharding.
    func validate(syncOnly: Bool, timingJSON: String?) throws {
        guard isSharded else { return }
        if syncOnly { throw ValidationError("--sync-only and --shards exclude each other") }
        if timingJSON != nil { throw ValidationError("--timing-json is for a single run, not --shards") }
    }
}
