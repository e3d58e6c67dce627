import ArgumentParser
import ExeControl
import ExeSSH
import Foundation

/// `exe-cli vm ssh NAME`.
struct VMShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Open an interactive shell on a VM (with a terminal).")

    @OptionGroup(title: "Global options") var connection: ConnectionOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(connection, json: false) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        try await session.withVMConnection(named: name) { connection in try await execute(session, on: connection) }
    }

    private func execute(_ session: CommandSession, on connection: SSHConnection) async throws {
        let status = try await TerminalSession.run(on: connection, environment: session.environment)
        if status != .exited(0) { throw CLIExit(status: status.shellStatus) }
    }
}
