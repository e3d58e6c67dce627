import ArgumentParser
import ExeLease

/// `exe-cli lease stop`.
struct LeaseStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop leases: remove their VMs and claims. A VM already gone is fine.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var lease: LeaseOptions
    @Argument(help: "Leases: ids, slugs or VM names.") var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("name at least one lease") }
    }

    mutating func run() async throws {
        let ids = self.ids
        try await LeaseSession.run(global, lease) { leases, session in
            let outcomes = try await leases.stop(ids)
            try session.output.result(outcomes) {
                outcomes.map { "\($0.result) \($0.lease)" + ($0.vmName.map { " (\($0))" } ?? "") }.joined(separator: "\n")
            }
        }
    }
}
