import ArgumentParser
import ExeLease

/// `exe-cli lease gc`.
struct LeaseGCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Stop leases past their idle timeout or TTL (from any machine, by their tags).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Flag(name: .customLong("dry-run"), help: "Only show what would be stopped.") var dryRun = false

    mutating func run() async throws {
        let dryRun = self.dryRun
        try await LeaseSession.run(global, lease) { leases, session in
            let outcomes = try await leases.collectExpired(dryRun: dryRun)
            try session.output.result(["leases": outcomes]) {
                if outcomes.isEmpty { return "nothing to collect" }
                return outcomes.map { "\($0.action) \($0.vmName)" + ($0.leaseID.map { " (\($0))" } ?? "") }.joined(separator: "\n")
            }
        }
    }
}
