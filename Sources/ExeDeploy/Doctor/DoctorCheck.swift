/// How one doctor check came out.
public enum DoctorStatus: String, Sendable, Codable, CaseIterable {
    /// Fine (✓).
    case ok
    /// Works, but something is off or near a limit (!).
    case warning
    /// Broken (✗): the doctor exits 1.
    case failed
    /// Not run, because an earlier check failed (the VM is paused, ...) (-).
    case skipped

    /// The mark printed before the check's title.
    public var symbol: String {
        switch self {
        case .ok: "✓"
        case .warning: "!"
        case .failed: "✗"
        case .skipped: "-"
        }
    }
}

/// The part of the checklist a check belongs to, in the order they run.
public enum DoctorSection: String, Sendable, Codable, CaseIterable {
    /// The control plane: reachable, host key, key registered, region.
    case control
    /// The VM: exists, its status and load.
    case vm
    /// The HTTPS proxy: port, visibility, whether the URL answers.
    case proxy
    /// The app's containers.
    case containers
    /// Pattern B's files under `/data` and the deploy lock.
    case compose
    /// Whether the VM can pull the deployed image.
    case registry
    /// This repository: Dockerfile and `exe.deploy.yaml`.
    case local

    /// Its heading.
    public var title: String {
        switch self {
        case .control: "control plane"
        case .vm: "VM"
        case .proxy: "proxy"
        case .containers: "containers"
        case .compose: "Pattern B files"
        case .registry: "registry"
        case .local: "local"
        }
    }
}

/// A repair `exe-cli doctor --fix` may apply: safe and reversible.
public enum DoctorRepair: Sendable, Equatable {
    /// `share port VM PORT`.
    case sharePort(vm: String, port: Int)
    /// `share set-public VM`.
    case setPublic(vm: String)
    /// `docker restart CONTAINER` on the VM.
    case restartContainer(vm: String, container: String)
}

/// What repairs a check: the exact command (or config line) to run, and
/// the repair `--fix` applies when there is a safe one.
public struct DoctorFix: Sendable, Equatable, Encodable {
    /// The `exe-cli` command or the config line.
    public var command: String
    /// What `--fix` does; `nil` when the fix is left to the user.
    public var repair: DoctorRepair?

    /// Whether `--fix` applies it.
    public var safe: Bool { repair != nil }

    /// Creates a fix.
    public init(_ command: String, repair: DoctorRepair? = nil) {
        self.command = command
        self.repair = repair
    }

    private enum CodingKeys: String, CodingKey { case command, safe }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(safe, forKey: .safe)
    }
}

/// One line of the doctor's checklist: what was checked, how it came out,
/// the evidence (one line), and the fix when it is not ✓.
public struct DoctorCheck: Sendable, Equatable, Encodable {
    /// A stable identifier (`proxy.port`, `container.web`, ...).
    public var id: String
    /// Where it belongs.
    public var section: DoctorSection
    /// What was checked.
    public var title: String
    /// How it came out.
    public var status: DoctorStatus
    /// One line of evidence.
    public var evidence: String
    /// More lines (the last log lines of a failed container).
    public var details: [String]
    /// The fix, for ✗ and !.
    public var fix: DoctorFix?

    /// Creates a check.
    public init(
        _ id: String, _ section: DoctorSection, _ title: String, _ status: DoctorStatus, _ evidence: String, details: [String] = [],
        fix: DoctorFix? = nil
    ) {
        self.id = id
        self.section = section
        self.title = title
        self.status = status
        self.evidence = evidence
        self.details = details
        self.fix = fix
    }

    /// A check not run because of `reason`.
    public static func skipped(_ id: String, _ section: DoctorSection, _ title: String, _ reason: String) -> DoctorCheck {
        DoctorCheck(id, section, title, .skipped, reason)
    }
}
