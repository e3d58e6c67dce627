import ArgumentParser
import ExeControl

/// `exe-cli vm rm NAME...`.
struct VMRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Delete VMs. Exits non-zero if any could not be deleted.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Flag(name: [.short, .customLong("yes")], help: "Do not ask for confirmation (it is asked only on a terminal).") var yes = false
    @Argument(help: "The VMs to delete.") var names: [String]

    func validate() throws {
        if names.isEmpty { throw ValidationError("please specify at least one VM name to delete") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        try Confirmation.require(
            "Delete \(names.count == 1 ? "the VM" : "\(names.count) VMs:") \(names.joined(separator: ", ")) and everything on \(names.count == 1 ? "it" : "them")?",
            assumeYes: yes, console: session.console)
        let result = try await session.client.remove(names)
        try session.output.result(result) {
            result.deleted.map { "Deleted \($0)." }.joined(separator: "\n")
        }
        guard let first = result.failures.first else { return }
        for failure in result.failures { session.console.printError("error: " + CommandSession.oneLine(failure.message)) }
        throw CLIExit(CLIExitCode(first.kind))
    }
}
