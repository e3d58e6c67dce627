import ArgumentParser
import ExeLease

/// `exe-cli lease stop`.
struct LeaseStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop leases: remove their VMs and claims. A VM already gone is fine.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Flag(name: [.short, .customLong("yes")], help: "Do not ask before stopping a kept lease (asked only on a terminal).") var yes = false
    @Flag(name: .customLong("any-repo"), help: "Stop leases claimed by another repository too.") var anyRepository = false
    @Argument(help: "Leases: ids, slugs or VM names.") var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("name at least one lease") }
    }

    mutating func run() async throws {
        let ids = self.ids
        let yes = self.yes
        let anyRepository = self.anyRepository
        try await LeaseSession.run(global, lease) { leases, session in
            let kept = ids.filter { (try? leases.lookup($0))?.keep == true }
            if !kept.isEmpty {
                try Confirmation.require("Stop the kept lease(s) \(kept.joined(separator: ", ")) and delete their VMs?", assumeYes: yes, console: session.console)
            }
            let outcomes = try await leases.stop(ids, anyRepository: anyRepository)
            try session.output.result(["leases": outcomes]) {
                outcomes.map { "\($0.result) \($0.lease)" + ($0.vmName.map { " (\($0))" } ?? "") }.joined(separator: "\n")
            }
        }
    }
}
