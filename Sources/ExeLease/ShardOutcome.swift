public import ExeSSH

/// Where a shard of a sharded run ran.
public enum ShardOrigin: String, Sendable, Codable {
    /// On the base lease (shard 1).
    case base
    /// On a `cp --standalone` copy of the base lease.
    case copy
    /// On a lease warmed up for it, because copying failed twice (or `cp`
    /// is unavailable).
    case freshLease = "fresh_lease"
}

/// How one shard ended.
public enum ShardStatus: Sendable, Equatable {
    /// Its command exited 0.
    case passed
    /// Its command exited non-zero or was killed by a signal.
    case failed(RemoteExitStatus)
    /// Ctrl-C interrupted it while it ran.
    case interrupted
    /// It never ran: Ctrl-C came before it started.
    case notStarted
    /// It could not run: no lease could be made for it, or its sync or
    /// connection failed (the message says which).
    case error(String)

    /// The shell status this outcome stands for: 0 passed, the command's
    /// status, 130 interrupted, 1 for an error.
    public var exitCode: Int32 {
        switch self {
        case .passed: 0
        case .failed(let status): status.shellStatus == 0 ? 1 : status.shellStatus
        case .interrupted, .notStarted: 130
        case .error: 1
        }
    }

    /// `passed`, `failed`, `interrupted`, `not_started`, `error`.
    public var name: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .interrupted: "interrupted"
        case .notStarted: "not_started"
        case .error: "error"
        }
    }
}

/// One shard's result.
public struct ShardOutcome: Sendable {
    /// 1...total.
    public var index: Int
    /// How it ended.
    public var status: ShardStatus
    /// The lease it ran on (nil when it got none).
    public var leaseID: String?
    /// That lease's VM.
    public var vmName: String?
    /// Where that lease came from.
    public var origin: ShardOrigin?
    /// Milliseconds its command ran (sync included for a fresh lease).
    public var milliseconds: Int
    /// The JUnit files read from its work directory, each labelled.
    public var junitFiles: [JUnitSource] = []
    /// JUnit files found but not read (too large, unreadable), each with why.
    public var junitProblems: [String] = []
    /// The artifacts copied back from its lease (`nil`: none were asked
    /// for, or the command never ran, or the copy failed, which is reported
    /// as progress).
    public var artifacts: ArtifactReport?

    /// An outcome.
    public init(index: Int, status: ShardStatus, leaseID: String? = nil, vmName: String? = nil, origin: ShardOrigin? = nil, milliseconds: Int = 0) {
        self.index = index
        self.status = status
        self.leaseID = leaseID
        self.vmName = vmName
        self.origin = origin
        self.milliseconds = milliseconds
    }
}
