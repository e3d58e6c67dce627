import ArgumentParser
import ExeLease

/// What ``LeaseSession`` needs from a command's lease flags.
protocol LeaseSettingsFlags: Sendable {
    /// The overrides the flags make.
    func overrides(controlHost: String?, allowEnv: [String]) throws -> LeaseSettings.Overrides
}

/// The setting flags of the lease commands that create a VM or show the
/// settings (`warmup`, `run`, `config`); they win over the environment and
/// the config files.
struct LeaseOptions: ParsableArguments, LeaseSettingsFlags {
    @Option(help: "The VM image [env: EXE_LEASE_IMAGE].") var image: String?
    @Option(help: "CPUs [env: EXE_LEASE_CPUS].") var cpus: Int?
    @Option(help: "Memory, e.g. 4GB [env: EXE_LEASE_MEMORY].") var memory: String?
    @Option(help: "Disk, e.g. 10GB [env: EXE_LEASE_DISK].") var disk: String?
    @Option(name: [.customLong("command"), .customLong("vm-command")], help: "The VM's container command (for the VM, not the command a run executes) [env: EXE_LEASE_COMMAND].") var vmCommand: String?
    @Option(name: .customLong("idle-timeout"), help: "Collect the lease after this long unused, e.g. 30m [env: EXE_LEASE_IDLE_TIMEOUT].") var idleTimeout: String?
    @Option(help: "Collect the lease this long after creation, e.g. 90m [env: EXE_LEASE_TTL].") var ttl: String?
    @Option(name: .customLong("work-root"), help: "The directory on the VM holding work trees [env: EXE_LEASE_WORK_ROOT].") var workRoot: String?
    @Flag(name: .customLong("trust-repo-control-host"), help: "Accept a control host set only by the repository's .exe.yaml.") var trustRepositoryControlHost = false
    @Flag(help: "Take an idle or paused lease of this repository with the same size settings before creating one [env: EXE_LEASE_REUSE].") var reuse = false

    init() {}

    func validate() throws {
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1") }
        for (flag, value) in [("--idle-timeout", idleTimeout), ("--ttl", ttl)] {
            guard let value else { continue }
            do { _ = try LeaseDuration.parse(value, setting: flag) } catch let error as LeaseError { throw ValidationError(error.message) }
        }
    }

    /// The overrides these flags make.
    func overrides(controlHost: String?, allowEnv: [String] = []) throws -> LeaseSettings.Overrides {
        var overrides = LeaseSettings.Overrides()
        overrides.controlHost = controlHost
        overrides.image = image
        overrides.cpus = cpus
        overrides.memory = memory
        overrides.disk = disk
        overrides.command = vmCommand
        overrides.idleTimeout = try idleTimeout.map { try LeaseDuration.parse($0, setting: "--idle-timeout") }
        overrides.ttl = try ttl.map { try LeaseDuration.parse($0, setting: "--ttl") }
        overrides.workRoot = workRoot
        overrides.allowEnv = allowEnv
        overrides.trustRepositoryControlHost = trustRepositoryControlHost
        if reuse { overrides.reuse = true }
        return overrides
    }
}

/// The one lease setting flag of the commands that act on existing leases
/// (`ssh`, `status`, `list`, `stop`, `gc`, `touch`): the VM's size and image
/// do not matter to them.
struct LeaseAccessOptions: ParsableArguments, LeaseSettingsFlags {
    @Flag(name: .customLong("trust-repo-control-host"), help: "Accept a control host set only by the repository's .exe.yaml.") var trustRepositoryControlHost = false

    init() {}

    func overrides(controlHost: String?, allowEnv: [String] = []) throws -> LeaseSettings.Overrides {
        var overrides = LeaseSettings.Overrides()
        overrides.controlHost = controlHost
        overrides.allowEnv = allowEnv
        overrides.trustRepositoryControlHost = trustRepositoryControlHost
        return overrides
    }
}
