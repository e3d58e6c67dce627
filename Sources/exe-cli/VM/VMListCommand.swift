import ArgumentParser
import ExeControl

/// `exe-cli vm ls [FILTER...] [--all]`.
struct VMListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List your VMs, optionally filtered by names, tags or globs.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Flag(name: [.short, .customLong("all")], help: "Include your team's VMs.") var all = false
    @Option(help: "Group the table: none, tag, region or type (standalone, pool, shared).") var group: VMListGrouping = .none
    @Argument(help: "VM names, tags or globs (* ? [...]).") var filters: [String] = []

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let list = try await session.client.list(filters, includeTeam: all)
        try session.output.result(list) {
            func table(_ vms: [VM]) -> String {
                session.output.table(
                    ["NAME", "STATUS", "REGION", "CPUS", "MEMORY", "DISK", "URL", "TAGS", "COMMENT"],
                    vms.map { vm in
                        [
                            vm.name, vm.status?.rawValue ?? "-", DisplayFormat.text(vm.region),
                            vm.allocatedCPUs.map(String.init) ?? "-", DisplayFormat.bytes(vm.memoryCapacityBytes),
                            DisplayFormat.bytes(vm.diskCapacityBytes), DisplayFormat.text(vm.httpsURL), DisplayFormat.tags(vm.tags),
                            DisplayFormat.text(vm.comment),
                        ]
                    })
            }
            var text = group == .none
                ? table(list.vms)
                : group.groups(list.vms).map { "\($0.title):\n" + table($0.vms) }.joined(separator: "\n\n")
            if list.vms.isEmpty { text = "No VMs." }
            if !list.teamVMs.isEmpty {
                text += "\n\nTeam VMs:\n" + session.output.table(
                    ["NAME", "STATUS", "REGION", "CREATOR", "COMMENT"],
                    list.teamVMs.map { vm in
                        [vm.name, vm.status?.rawValue ?? "-", DisplayFormat.text(vm.region), DisplayFormat.text(vm.creatorEmail), DisplayFormat.text(vm.comment)]
                    })
            }
            return text
        }
    }
}
