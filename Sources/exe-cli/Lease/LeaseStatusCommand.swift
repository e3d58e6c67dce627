import ArgumentParser
import ExeControl
import ExeLease
import ExeSSH

/// `exe-cli lease status`.
struct LeaseStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a lease: its VM, state, reachability and expiry.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Argument(help: "The lease: id, slug or VM name.") var id: String

    struct Status: Encodable {
        let lease: LeaseClaimOutput
        let vmStatus: String
        let reachable: Bool
    }

    mutating func run() async throws {
        let key = id
        try await LeaseSession.run(global, lease) { leases, session in
            let claim = try leases.lookup(key)
            try leases.requireThisControlHost(claim)
            let vm = try await session.client.vm(named: claim.vmName)
            var reachable = false
            if vm != nil, let connection = try? await leases.connect(claim) {
                reachable = (try? await connection.run(VMReadiness.markerCommand, timeout: .seconds(10))).map(VMReadiness.cameFromVM) ?? false
                await connection.close()
            }
            let status = Status(lease: LeaseClaimOutput(claim), vmStatus: vm?.status?.description ?? "gone", reachable: reachable)
            try session.output.result(status) {
                session.output.table(
                    ["LEASE", "SLUG", "VM", "STATUS", "REACHABLE", "EXPIRES", "REPOSITORY"],
                    [[claim.identity.id, claim.identity.slug, claim.vmName, status.vmStatus, reachable ? "yes" : "no", status.lease.expiresAt, claim.repositoryRoot]])
            }
        }
    }
}
