import ExeLease
import ExeSSH

/// `lease run --shards N --json`: the one object printed on stdout when the
/// run ends (the shards' own output goes to stderr, see
/// ``ShardOutputWriter``). Keys are the snake_case form of the property
/// names; every key is always present (`null` when it does not apply), so
/// scripts can rely on the shape. Documented in `Docs/exe-cli.md`.
struct ShardedRunSummary: Encodable {
    /// How a shard ended, as scripts see it.
    enum Status: String, Encodable {
        case passed
        case failed
        case interrupted
        case notStarted = "not_started"
        case error

        init(_ status: ShardStatus) {
            switch status {
            case .passed: self = .passed
            case .failed: self = .failed
            case .interrupted: self = .interrupted
            case .notStarted: self = .notStarted
            case .error: self = .error
            }
        }
    }

    /// JUnit counts (of one shard, or of the merged report).
    struct JUnitCounts: Encodable {
        let tests: Int
        let failures: Int
        let errors: Int
        let skipped: Int

        init(_ totals: JUnitTotals) {
            tests = totals.tests
            failures = totals.failures
            errors = totals.errors
            skipped = totals.skipped
        }
    }

    /// The merged JUnit report.
    struct MergedJUnit: Encodable {
        let tests: Int
        let failures: Int
        let errors: Int
        let skipped: Int
        let suites: Int
        /// Where the merged report was written.
        let report: String
    }

    /// One shard.
    struct Shard: Encodable {
        let index: Int
        let leaseID: String?
        let vm: String?
        let origin: ShardOrigin?
        let status: Status
        /// The command's exit status when it ran (0, its status, 128+n for
        /// a signal, 130 when interrupted); `null` when it never ran.
        let exitCode: Int32?
        let durationMs: Int
        /// Why the shard could not run (`status` `error`).
        let error: String?
        /// The shard's own JUnit counts; `null` without `--junit`.
        let junit: JUnitCounts?
        /// What came back with `--artifacts`; `null` without it (or when
        /// the copy failed).
        let artifacts: ArtifactReport?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: SnakeCaseKey.self)
            try container.encode(index, forKey: SnakeCaseKey("index"))
            try container.encode(leaseID, forKey: SnakeCaseKey("leaseID"))
            try container.encode(vm, forKey: SnakeCaseKey("vm"))
            try container.encode(origin, forKey: SnakeCaseKey("origin"))
            try container.encode(status, forKey: SnakeCaseKey("status"))
            try container.encode(exitCode, forKey: SnakeCaseKey("exitCode"))
            try container.encode(durationMs, forKey: SnakeCaseKey("durationMs"))
            try container.encode(error, forKey: SnakeCaseKey("error"))
            try container.encode(junit, forKey: SnakeCaseKey("junit"))
            try container.encode(artifacts, forKey: SnakeCaseKey("artifacts"))
        }
    }

    let runID: String
    let total: Int
    let passed: Int
    /// exe-cli's exit status for this run.
    let exitCode: Int32
    let interrupted: Bool
    let durationMs: Int
    let baseLeaseID: String
    let shards: [Shard]
    let junit: MergedJUnit?
    let artifactsDirectory: String?
    let removed: [String]
    let kept: [String]
    /// Why removing the run's leases failed, with how to remove them by hand.
    let cleanupError: String?

    init(_ result: ShardedRunResult, junitReport: String?, exitCode: Int32) {
        runID = result.runID
        total = result.shards.count
        passed = result.shards.filter { $0.status == .passed }.count
        self.exitCode = exitCode
        interrupted = result.interrupted
        durationMs = result.totalMilliseconds
        baseLeaseID = result.baseLeaseID
        let withJUnit = result.junit != nil
        shards = result.shards.map { shard in
            let exit: Int32?
            let error: String?
            switch shard.status {
            case .passed: (exit, error) = (0, nil)
            case .failed(let status): (exit, error) = (status.shellStatus, nil)
            case .interrupted: (exit, error) = (130, nil)
            case .notStarted: (exit, error) = (nil, nil)
            case .error(let message): (exit, error) = (nil, message)
            }
            return Shard(
                index: shard.index, leaseID: shard.leaseID, vm: shard.vmName, origin: shard.origin, status: Status(shard.status), exitCode: exit,
                durationMs: shard.milliseconds, error: error,
                junit: withJUnit ? JUnitCounts(JUnitMerger.merge(shard.junitFiles, name: "shard \(shard.index)").totals) : nil,
                artifacts: shard.artifacts)
        }
        junit = result.junit.map { merged in
            MergedJUnit(
                tests: merged.totals.tests, failures: merged.totals.failures, errors: merged.totals.errors, skipped: merged.totals.skipped,
                suites: merged.suiteCount, report: junitReport ?? "")
        }
        artifactsDirectory = result.artifactsDirectory
        removed = result.removed
        kept = result.kept
        cleanupError = result.cleanupFailure
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: SnakeCaseKey.self)
        try container.encode(runID, forKey: SnakeCaseKey("runID"))
        try container.encode(total, forKey: SnakeCaseKey("total"))
        try container.encode(passed, forKey: SnakeCaseKey("passed"))
        try container.encode(exitCode, forKey: SnakeCaseKey("exitCode"))
        try container.encode(interrupted, forKey: SnakeCaseKey("interrupted"))
        try container.encode(durationMs, forKey: SnakeCaseKey("durationMs"))
        try container.encode(baseLeaseID, forKey: SnakeCaseKey("baseLeaseID"))
        try container.encode(shards, forKey: SnakeCaseKey("shards"))
        try container.encode(junit, forKey: SnakeCaseKey("junit"))
        try container.encode(artifactsDirectory, forKey: SnakeCaseKey("artifactsDirectory"))
        try container.encode(removed, forKey: SnakeCaseKey("removed"))
        try container.encode(kept, forKey: SnakeCaseKey("kept"))
        try container.encode(cleanupError, forKey: SnakeCaseKey("cleanupError"))
    }
}
