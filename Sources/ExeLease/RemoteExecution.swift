public import ExeSSH
import ExeSystem
import Foundation

/// Runs a ``RemoteCommand`` on a VM over an existing connection, streaming
/// its output, and interrupts it on request.
public struct RemoteExecution: Sendable {
    private let connection: SSHConnection
    /// The command being run.
    public let command: RemoteCommand

    /// Prepares `command` to run over `connection`.
    public init(connection: SSHConnection, command: RemoteCommand) {
        self.connection = connection
        self.command = command
    }

    /// Uploads the environment file (if any), then starts the command and
    /// returns its output stream: stdout and stderr chunks, then the status.
    public func start() async throws -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        try await connection.createDirectory(command.stateDirectory, mode: 0o700)
        if !command.environment.isEmpty {
            try await connection.upload(command.environmentFileContent, to: command.environmentFile, mode: 0o600)
        }
        return connection.stream(command.shellCommand)
    }

    /// Sends SIGINT to the command's process group, then SIGKILL after
    /// `grace` if it has not exited.
    public func interrupt(grace: Duration = .seconds(5)) async throws {
        let seconds = max(1, Int(grace.components.seconds))
        try await connection.run(command.interruptScript(graceSeconds: seconds), timeout: grace + .seconds(10))
    }

    /// Removes the run's pid and env files.
    public func cleanUp() async {
        _ = try? await connection.run("rm -f \(ShellQuote.word(command.pidFile)) \(ShellQuote.word(command.environmentFile))", timeout: .seconds(10))
    }
}
