import ArgumentParser
import ExeLease

/// `exe-cli lease list`.
struct LeaseListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List leases: this machine's, or with --all every VM tagged exe-lease.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Flag(help: "Include leases this machine does not claim.") var all = false

    mutating func run() async throws {
        let all = self.all
        try await LeaseSession.run(global, lease) { leases, session in
            let views = try await leases.list(all: all)
            try session.output.result(["leases": views]) {
                if views.isEmpty { return "no leases" }
                return session.output.table(
                    ["LEASE", "SLUG", "VM", "STATUS", "EXPIRES", "CLAIM", "REPOSITORY"],
                    views.map { view in
                        [
                            view.leaseID ?? "-", view.slug ?? "-", view.vmName, view.status,
                            view.keep ? "kept" : (view.expiresAt.map(LeaseClaimOutput.format) ?? "-"),
                            view.claimed ? "here" : "-", view.repositoryRoot ?? "-",
                        ]
                    })
            }
        }
    }
}
