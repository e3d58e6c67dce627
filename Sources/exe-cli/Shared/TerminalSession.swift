import Dispatch
import ExeSSH
import Foundation

/// An interactive session on a remote host, wired to this terminal: raw
/// mode while it runs (restored afterwards, whatever happens), window size
/// changes forwarded, keystrokes sent, output written as it arrives.
enum TerminalSession {
    /// Runs the remote login shell (or `command`) with a terminal; returns its status.
    static func run(on connection: SSHConnection, command: String? = nil, environment: CLIEnvironment) async throws -> RemoteExitStatus {
        let size = TerminalMode.size()
        let terminal = PseudoTerminal(term: environment.variable("TERM") ?? "xterm-256color", width: size.width, height: size.height)
        let shell = connection.shell(terminal: terminal, input: .sequence(StandardInput.chunks()), command: command)

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
            case .stdout(let data): environment.console.writeOutput(data)
            case .stderr(let data): environment.console.writeError(data)
            case .exit(let exit): status = exit
            }
        }
        return status
    }
}
