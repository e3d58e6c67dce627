/// The plan the simulated account is on. The real limits depend on the
/// billing tier; the simulator uses one fixed tier, documented in
/// `Docs/exe-sim.md`.
package struct SimulatedPlan: Sendable {
    /// Default memory of a new VM.
    package var defaultMemory: Int64 = 8 * ByteSize.gibibyte
    /// Smallest memory.
    package var minimumMemory: Int64 = 2 * ByteSize.gibibyte
    /// Largest memory.
    package var maximumMemory: Int64 = 32 * ByteSize.gibibyte
    /// Default CPUs.
    package var defaultCPUs = 2
    /// Most CPUs.
    package var maximumCPUs = 8
    /// Default disk.
    package var defaultDisk: Int64 = 25 * ByteSize.gibibyte
    /// Smallest disk.
    package var minimumDisk: Int64 = 10 * ByteSize.gibibyte
    /// Largest disk.
    package var maximumDisk: Int64 = 250 * ByteSize.gibibyte
    /// Most growth of one `resize --disk`.
    package var maximumDiskGrowth: Int64 = 250 * ByteSize.gibibyte
    /// Most VMs.
    package var maximumVMs = 100

    /// The standard plan.
    package static let standard = SimulatedPlan()

    /// Validates `--memory`, returning bytes or the server's message.
    func memory(_ text: String) -> Result<Int64, CommandFailure> {
        guard let bytes = ByteSize.parse(text) else { return .failure(CommandFailure("invalid --memory value \(GoFlagParser.goQuote(text))")) }
        if bytes < minimumMemory { return .failure(CommandFailure("--memory must be at least \(ByteSize.display(minimumMemory))")) }
        if bytes > maximumMemory {
            return .failure(CommandFailure("--memory cannot exceed \(ByteSize.display(maximumMemory)) — run `billing update` to upgrade your plan"))
        }
        return .success(bytes)
    }

    /// Validates `--disk` for a new VM.
    func disk(_ text: String) -> Result<Int64, CommandFailure> {
        guard let bytes = ByteSize.parse(text) else { return .failure(CommandFailure("invalid --disk value \(GoFlagParser.goQuote(text))")) }
        if bytes < minimumDisk { return .failure(CommandFailure("--disk must be at least \(ByteSize.display(minimumDisk))")) }
        if bytes > maximumDisk {
            return .failure(CommandFailure("--disk cannot exceed \(ByteSize.display(maximumDisk)) — contact support@exe.dev if you need more"))
        }
        return .success(bytes)
    }

    /// Validates `--cpu`.
    func cpus(_ count: Int) -> Result<Int, CommandFailure> {
        if count < 1 { return .failure(CommandFailure("--cpu must be at least 1")) }
        if count > maximumCPUs {
            return .failure(CommandFailure("--cpu cannot exceed \(maximumCPUs) — run `billing update` to upgrade your plan"))
        }
        return .success(count)
    }
}
