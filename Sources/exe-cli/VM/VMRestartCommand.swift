import ArgumentParser
import ExeControl

/// `exe-cli vm restart NAME`.
struct VMRestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop and start a VM.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let result = try await session.client.restart(name)
        try session.output.result(result) { "Restarted \(result.name)." }
    }
}
