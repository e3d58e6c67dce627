/// The plan the simulated account is on. The real limits depend on the
/// billing tier; the simulator uses one fixed tier, documented in
/// `Docs/exe-sim.md`.
package struct SimulatedPlan: Sendable {
    /// Default memory of a new VM.
    package var defaultMemory: Int64 = 8 * SizeArgument.gibibyte
    /// Smallest memory.
    package var minimumMemory: Int64 = 2 * SizeArgument.gibibyte
    /// Largest memory.
    package var maximumMemory: Int64 = 32 * SizeArgument.gibibyte
    /// Default CPUs.
    package var defaultCPUs = 2
    /// Most CPUs.
    package var maximumCPUs = 8
    /// Default disk.
    package var defaultDisk: Int64 = 25 * SizeArgument.gibibyte
    /// Smallest disk.
    package var minimumDisk: Int64 = 10 * SizeArgument.gibibyte
    /// Largest disk.
    package var maximumDisk: Int64 = 250 * SizeArgument.gibibyte
    /// Most growth of one `resize --disk`.
    package var maximumDiskGrowth: Int64 = 250 * SizeArgument.gibibyte
    /// Most VMs.
    package var maximumVMs = 100

    /// The standard plan.
    package static let standard = SimulatedPlan()

    /// How a limit is worded: `new` and `cp` say only the limit
    /// (`execore/ssh_new_command.go`, `execore/ssh_cp_command.go`); `resize`
    /// names the upgrade (`resizeLimitMsg` in `execore/ssh_command_handlers.go`;
    /// the simulated plan has a larger tier).
    enum LimitWording {
        case plain, resize
    }

    private func exceeds(_ resource: String, _ limit: String, _ wording: LimitWording) -> CommandFailure {
        switch wording {
        case .plain: return CommandFailure("--\(resource) cannot exceed \(limit)")
        case .resize: return CommandFailure("--\(resource) cannot exceed \(limit) — run `billing update` to upgrade to a larger plan with more cpu/memory")
        }
    }

    /// Validates `--memory`, returning bytes or the server's message.
    func memory(_ text: String, wording: LimitWording = .plain) -> Result<Int64, CommandFailure> {
        let bytes: Int64
        switch SizeArgument.parseSize(text) {
        case .failure(let problem): return .failure(CommandFailure("invalid --memory value: \(problem)"))
        case .success(let value): bytes = value
        }
        if bytes < minimumMemory { return .failure(CommandFailure("--memory must be at least \(SizeArgument.display(minimumMemory))")) }
        if bytes > maximumMemory { return .failure(exceeds("memory", SizeArgument.display(maximumMemory), wording)) }
        return .success(bytes)
    }

    /// Validates `--disk` for a new VM.
    func disk(_ text: String) -> Result<Int64, CommandFailure> {
        let bytes: Int64
        switch SizeArgument.parseSize(text) {
        case .failure(let problem): return .failure(CommandFailure("invalid --disk value: \(problem)"))
        case .success(let value): bytes = value
        }
        if bytes < minimumDisk { return .failure(CommandFailure("--disk must be at least \(SizeArgument.display(minimumDisk))")) }
        if bytes > maximumDisk {
            return .failure(CommandFailure("--disk cannot exceed \(SizeArgument.display(maximumDisk)) — contact support@exe.dev if you need more"))
        }
        return .success(bytes)
    }

    /// Validates `--cpu`.
    func cpus(_ count: Int, wording: LimitWording = .plain) -> Result<Int, CommandFailure> {
        if count < 1 { return .failure(CommandFailure("--cpu must be at least 1")) }
        if count > maximumCPUs { return .failure(exceeds("cpu", "\(maximumCPUs)", wording)) }
        return .success(count)
    }
}
