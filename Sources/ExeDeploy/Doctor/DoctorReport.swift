/// What `exe-cli doctor` found, and what `--fix` did.
public struct DoctorReport: Sendable, Encodable {
    /// The app (from `exe.deploy.yaml`), if any.
    public var app: String?
    /// The VM.
    public var vm: String
    /// The pattern, when known.
    public var pattern: DeployPattern?
    /// Every check, in the checklist's order.
    public var checks: [DoctorCheck]
    /// What `--fix` applied.
    public var repairs: [DoctorRepairOutcome] = []

    /// Creates a report.
    public init(app: String?, vm: String, pattern: DeployPattern?, checks: [DoctorCheck]) {
        self.app = app
        self.vm = vm
        self.pattern = pattern
        self.checks = checks
    }

    /// The checks before `--fix` repaired anything (`checks` are then
    /// those of the run after the repairs).
    public var before: [DoctorCheck]?

    /// Whether nothing failed.
    public var passed: Bool { !checks.contains { $0.status == .failed } }

    /// The safe repairs the checks name (`--fix`).
    public var repairable: [DoctorCheck] {
        checks.filter { $0.status != .ok && $0.fix?.repair != nil }
    }

    private enum CodingKeys: String, CodingKey { case app, vm, pattern, checks, repairs, checksBeforeFix, passed }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(app, forKey: .app)
        try container.encode(vm, forKey: .vm)
        try container.encode(pattern, forKey: .pattern)
        try container.encode(checks, forKey: .checks)
        try container.encode(repairs, forKey: .repairs)
        try container.encodeIfPresent(before, forKey: .checksBeforeFix)
        try container.encode(passed, forKey: .passed)
    }
}

/// One repair `--fix` tried.
public struct DoctorRepairOutcome: Sendable, Encodable {
    /// The check it repairs.
    public var check: String
    /// The command it ran.
    public var command: String
    /// Whether it worked.
    public var applied: Bool
    /// Why not, when it did not.
    public var error: String?

    /// Creates an outcome.
    public init(check: String, command: String, applied: Bool, error: String? = nil) {
        self.check = check
        self.command = command
        self.applied = applied
        self.error = error
    }
}
