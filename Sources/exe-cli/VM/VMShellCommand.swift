import ArgumentParser
import Dispatch
import ExeControl
import ExeSSH
import Foundation

/// `exe-cli vm ssh NAME`.
struct VMShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Open an interactive shell on a VM (with a terminal).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        try await session.withVMConnection(named: name) { connection in try await execute(session, on: connection) }
    }

    private func execute(_ session: CommandSession, on connection: SSHConnection) async throws {
        let size = TerminalMode.size()
        let terminal = PseudoTerminal(
            term: session.environment.variable("TERM") ?? "xterm-256color", width: size.width, height: size.height)
        let shell = connection.shell(terminal: terminal, input: .sequence(StandardInput.chunks()))

        let rawMode = TerminalMode()
        defer { rawMode?.restore() }
        signal(SIGWINCH, SIG_IGN)
        let resizes = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        resizes.setEventHandler {
            let size = TerminalMode.size()
            shell.resize(width: size.width, height: size.height)
        }
        resizes.resume()
        defer { resizes.cancel() }

        var status = RemoteExitStatus.closedWithoutStatus
        for try await event in shell.output {
            switch event {
            case .stdout(let data): session.console.writeOutput(data)
            case .stderr(let data): session.console.writeError(data)
            case .exit(let exit): status = exit
            }
        }
        rawMode?.restore()
        if status != .exited(0) { throw CLIExit(status: status.shellStatus) }
    }
}
