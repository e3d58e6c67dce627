import ArgumentParser
import ExeControl

/// `exe-cli vm rename OLD NEW`.
struct VMRenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Rename a running VM (the old name stays reserved to you for 24 hours).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM's current name.") var name: String
    @Argument(help: "The new name.") var newName: String

    func validate() throws {
        do { _ = try VMName(newName) } catch { throw ValidationError(error.message) }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let result = try await session.client.rename(name, to: newName)
        try session.output.result(result) {
            result.status == "unchanged" ? "\(name) is already named \(newName)." : "Renamed \(result.oldName) to \(result.newName)."
        }
    }
}
