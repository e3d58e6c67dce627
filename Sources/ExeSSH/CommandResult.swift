public import Foundation

/// Everything a finished remote command produced.
public struct CommandResult: Sendable {
    /// How it ended.
    public var status: RemoteExitStatus
    /// Its standard output.
    public var standardOutput: Data
    /// Its standard error.
    public var standardError: Data

    /// Creates a result.
    public init(status: RemoteExitStatus, standardOutput: Data, standardError: Data) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// The exit code as a shell would report it (see ``RemoteExitStatus/shellStatus``).
    public var exitCode: Int32 { status.shellStatus }
    /// `true` when the command exited with status 0.
    public var succeeded: Bool { status.isSuccess }
    /// stdout decoded as UTF-8, invalid bytes replaced.
    public var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
    /// stderr decoded as UTF-8, invalid bytes replaced.
    public var stderr: String { String(decoding: standardError, as: UTF8.self) }
}

/// One event of a streamed command: a chunk of output, in the order it
/// arrived, then the status.
public enum CommandOutputEvent: Sendable {
    /// Bytes from stdout.
    case stdout(Data)
    /// Bytes from stderr.
    case stderr(Data)
    /// The command ended; this is the last event.
    case exit(RemoteExitStatus)
}
