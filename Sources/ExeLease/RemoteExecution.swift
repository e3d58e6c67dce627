public import ExeSSH
import ExeSystem
import Foundation

/// Runs a ``RemoteCommand`` on a VM over an existing connection, streaming
/// its output, and interrupts it on request.
public struct RemoteExecution: Sendable {
    private let connection: any RemoteHost
    /// The command being run.
    public let command: RemoteCommand

    /// Prepares `command` to run over `connection`.
    public init(connection: any RemoteHost, command: RemoteCommand) {
        self.connection = connection
        self.command = command
    }

    /// Starts the command (one channel, no other round trip) and returns
    /// its output stream: stdout and stderr chunks, then the status.
    public func start() async throws -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        connection.stream(command.shellCommand, stdin: command.environment.isEmpty ? .none : .data(command.environmentScript))
    }

    /// Sends SIGINT to the command's process group, then SIGKILL after
    /// `grace` if it has not exited.
    public func interrupt(grace: Duration = .seconds(5)) async throws {
        let seconds = max(1, Int(grace.components.seconds))
        try await connection.run(command.interruptScript(graceSeconds: seconds), timeout: grace + .seconds(10))
    }

}
