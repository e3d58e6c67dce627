import ArgumentParser
import ExeLease

/// `exe-cli lease gc`.
struct LeaseGCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Pause idle leases, stop leases past their TTL or paused too long (from any machine, by their tags).",
        discussion: "An idle lease is paused (--idle-action pause, the default) or stopped (--idle-action stop); a paused lease is stopped after the paused TTL; any lease past its TTL is stopped. Kept leases and leases a run here is using are left alone.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Flag(name: .customLong("dry-run"), help: "Only show what would be stopped.") var dryRun = false
    @Option(name: .customLong("idle-action"), help: "pause or stop an idle lease [env: EXE_LEASE_IDLE_ACTION; default pause].") var idleAction: String?
    @Option(name: .customLong("paused-ttl"), help: "Stop a lease paused longer than this, e.g. 24h [env: EXE_LEASE_PAUSED_TTL].") var pausedTTL: String?

    func validate() throws {
        do {
            _ = try idleAction.map { try LeaseIdleAction.parse($0, setting: "--idle-action") }
            _ = try pausedTTL.map { try LeaseDuration.parse($0, setting: "--paused-ttl") }
        } catch let error as LeaseError {
            throw ValidationError(error.message)
        }
    }

    mutating func run() async throws {
        let dryRun = self.dryRun
        let action = try idleAction.map { try LeaseIdleAction.parse($0, setting: "--idle-action") }
        let pausedTTL = try self.pausedTTL.map { try LeaseDuration.parse($0, setting: "--paused-ttl") }
        try await LeaseSession.run(global, lease) { leases, session in
            let outcomes = try await leases.collectExpired(dryRun: dryRun, idleAction: action, pausedTTL: pausedTTL)
            try session.output.result(["leases": outcomes]) {
                if outcomes.isEmpty { return "nothing to collect" }
                return outcomes.map { "\($0.action) \($0.vmName)" + ($0.leaseID.map { " (\($0))" } ?? "") }.joined(separator: "\n")
            }
        }
    }
}
