public import ExeSSH
import Foundation

/// Runs control-plane commands as `ssh exe.dev <command line>` over pooled
/// ExeSSH connections: one handshake for any number of commands, concurrent
/// commands multiplexed as channels of the same connection, stdin always at
/// EOF (so `ssh-key add` never waits for input).
public struct SSHControlTransport: ControlTransport {
    /// Where and how to connect.
    public struct Configuration: Sendable {
        /// The control host; `exe.dev:22` as the local user by default.
        public var destination: SSHDestination
        /// Keys, known hosts, host key policy, deadlines.
        public var ssh: SSHClientConfiguration
        /// How long one command may take (`new` can take minutes).
        public var commandTimeout: Duration
        /// Connections opened to the control host at most. One is enough for
        /// hundreds of concurrent commands (they queue for channels), and
        /// fresh connections are what exe.dev rate-limits.
        public var maxConnections: Int

        /// Creates a configuration.
        public init(
            destination: SSHDestination = SSHDestination(host: "exe.dev", port: 22, user: SSHEnvironment.process.userName),
            ssh: SSHClientConfiguration = SSHClientConfiguration(), commandTimeout: Duration = .seconds(600),
            maxConnections: Int = 1
        ) {
            self.destination = destination
            self.ssh = ssh
            self.commandTimeout = commandTimeout
            self.maxConnections = maxConnections
        }
    }

    /// The control host.
    public let destination: SSHDestination
    /// The pool commands run on.
    public let pool: SSHConnectionPool
    /// How long one command may take.
    public let commandTimeout: Duration

    public var appendsJSONFlag: Bool { true }

    /// Creates a transport with its own pool.
    public init(configuration: Configuration) {
        destination = configuration.destination
        pool = SSHConnectionPool(configuration: configuration.ssh, maxConnectionsPerDestination: configuration.maxConnections)
        commandTimeout = configuration.commandTimeout
    }

    /// Creates a transport on an existing pool (shared with VM connections).
    public init(destination: SSHDestination, pool: SSHConnectionPool, commandTimeout: Duration = .seconds(600)) {
        self.destination = destination
        self.pool = pool
        self.commandTimeout = commandTimeout
    }

    public func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        let line = request.commandLine(appendingJSONFlag: true)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let connection = try await pool.connection(to: destination)
                let result = try await connection.run(line, stdin: .none, timeout: commandTimeout)
                // The control plane writes everything to stdout; stderr carries
                // only failures from outside it (sshd, a forced command).
                let output = result.standardOutput.isEmpty && !result.succeeded ? result.standardError : result.standardOutput
                return ControlResponse(output: output, completion: .exitStatus(result.exitCode))
            } catch let error as SSHError {
                // A read-only command may be repeated once on a connection
                // that turned out to be dead; anything else might have run.
                if error.kind == .disconnected, request.isReadOnly, attempt == 1 { continue }
                throw Self.controlError(for: error, command: request.redactedCommandLine(appendingJSONFlag: true), destination: destination)
            } catch {
                throw ControlError(.transport, "\(error)", command: request.redactedCommandLine(appendingJSONFlag: true))
            }
        }
    }

    public func close() async { await pool.closeAll() }

    static func controlError(for error: SSHError, command: String, destination: SSHDestination) -> ControlError {
        let kind: ControlError.Kind
        switch error.kind {
        case .hostKeyMismatch, .hostKeyUnknown: kind = .hostKeyRejected
        case .authenticationFailed, .keyFile: kind = .authenticationFailed
        case .timeout: kind = .timeout
        case .cancelled: kind = .cancelled
        case .invalidConfiguration: kind = .invalidArgument
        default: kind = .transport
        }
        return ControlError(kind, "\(destination.host):\(destination.port): \(error.message)", command: command, underlying: error)
    }
}
