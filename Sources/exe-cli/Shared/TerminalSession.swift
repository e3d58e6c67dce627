import Dispatch
import ExeSSH
import Foundation

/// An interactive session on a remote host, wired to this terminal: raw
/// mode while it runs (restored afterwards, whatever happens), window size
/// changes forwarded, keystrokes sent, output written as it arrives.
enum TerminalSession {
    /// Runs the remote login shell (or `command`) with a terminal; returns its status.
    ///
    /// When stdin is not a terminal (a pipe, a file, /dev/null), there is no
    /// terminal to wire: the shell (or `command`) runs without a pty, reads
    /// stdin until its EOF, and its status is returned, so
    /// `echo 'uname -a' | exe-cli vm ssh NAME` works and never hangs.
    static func run(on connection: SSHConnection, command: String? = nil, environment: CLIEnvironment) async throws -> RemoteExitStatus {
        guard StandardInput.isTerminal else {
            return try await runWithoutTerminal(on: connection, command: command ?? "exec \"${SHELL:-/bin/sh}\" -l", environment: environment)
        }
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

    /// Runs `command` without a pty, stdin forwarded up to its EOF.
    static func runWithoutTerminal(on connection: SSHConnection, command: String, environment: CLIEnvironment) async throws -> RemoteExitStatus {
        var status = RemoteExitStatus.closedWithoutStatus
        for try await event in connection.stream(command, stdin: .sequence(StandardInput.chunks())) {
            switch event {
            case .stdout(let data): environment.console.writeOutput(data)
            case .stderr(let data): environment.console.writeError(data)
            case .exit(let exit): status = exit
            }
        }
        return status
    }
}
