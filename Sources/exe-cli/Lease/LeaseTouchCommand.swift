import ArgumentParser
import ExeLease

/// `exe-cli lease touch`.
struct LeaseTouchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "touch", abstract: "Mark a lease used now (moves its idle expiry).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Argument(help: "The lease: id, slug or VM name.") var id: String

    mutating func run() async throws {
        let key = id
        try await LeaseSession.run(global, lease) { leases, session in
            let claim = try await leases.touch(try leases.lookup(key))
            try session.output.result(LeaseClaimOutput(claim)) { "touched \(claim.identity.id); expires \(LeaseClaimOutput.format(claim.expiresAt))" }
        }
    }
}
