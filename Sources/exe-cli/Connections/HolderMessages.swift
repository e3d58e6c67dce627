import ExeSystem
import ExeSSH
import Foundation

/// Everything that decides who a connection authenticates as and which
/// host keys it trusts. Two requests share a held connection only when
/// their keys are equal, so a call with another identity, agent, known
/// hosts file or host key policy never rides on another's connection.
struct HolderKey: Codable, Hashable, Sendable {
    var host: String
    var port: Int
    var user: String
    var identityFiles: [String]
    var useDefaultIdentities: Bool
    var useAgent: Bool
    var agentSocket: String?
    var homeDirectory: String
    var localUser: String
    var knownHostsFiles: [String]
    var knownHostsWriteFile: String?
    var hostKeyPolicy: String
    /// `HostKeyAlias`: the name the host key is checked under (exe.dev's VMs
    /// present the control host's key); `nil` in frames from older clients.
    var hostKeyAlias: String?
    var connectTimeoutMilliseconds: Int64
    var handshakeTimeoutMilliseconds: Int64
    var authenticationTimeoutMilliseconds: Int64

    init(destination: SSHDestination, configuration: SSHClientConfiguration) {
        host = destination.host
        port = destination.port
        user = destination.user
        // The holder runs in `/`: a relative path must mean what it means here.
        let absolute = { (path: String) in WorkingDirectoryPath.absolute(configuration.environment.expandingTilde(path)) }
        identityFiles = configuration.identityFiles.map(absolute)
        useDefaultIdentities = configuration.useDefaultIdentities
        useAgent = configuration.useAgent
        agentSocket = configuration.useAgent ? configuration.environment.agentSocket : nil
        homeDirectory = configuration.environment.homeDirectory
        localUser = configuration.environment.userName
        knownHostsFiles = configuration.knownHostsFiles.map(absolute)
        knownHostsWriteFile = configuration.knownHostsWriteFile.map(absolute)
        hostKeyPolicy = configuration.hostKeyPolicy.rawValue
        hostKeyAlias = configuration.hostKeyAlias
        connectTimeoutMilliseconds = Self.milliseconds(configuration.connectTimeout)
        handshakeTimeoutMilliseconds = Self.milliseconds(configuration.handshakeTimeout)
        authenticationTimeoutMilliseconds = Self.milliseconds(configuration.authenticationTimeout)
    }

    var destination: SSHDestination { SSHDestination(host: host, port: port, user: user) }

    /// The configuration the holder connects with (no passphrase prompt:
    /// it has no terminal; encrypted keys not in the agent are skipped).
    func configuration(warnings: @escaping @Sendable (String) -> Void) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: homeDirectory, userName: localUser, agentSocket: agentSocket)
        configuration.identityFiles = identityFiles
        configuration.useDefaultIdentities = useDefaultIdentities
        configuration.useAgent = useAgent
        configuration.knownHostsFiles = knownHostsFiles
        configuration.knownHostsWriteFile = knownHostsWriteFile
        configuration.hostKeyPolicy = HostKeyPolicy(rawValue: hostKeyPolicy) ?? .strict
        configuration.hostKeyAlias = hostKeyAlias
        configuration.connectTimeout = .milliseconds(connectTimeoutMilliseconds)
        configuration.handshakeTimeout = .milliseconds(handshakeTimeoutMilliseconds)
        configuration.authenticationTimeout = .milliseconds(authenticationTimeoutMilliseconds)
        configuration.passphraseProvider = nil
        configuration.warningHandler = warnings
        // Held connections serve many short commands: keep a channel open
        // ahead of the next one (it then needs one round trip less).
        configuration.spareSessionChannels = 1
        return configuration
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.inMilliseconds
    }
}

/// The first frame of a command: where, and what to run.
struct HolderOpenRequest: Codable, Sendable {
    var key: HolderKey
    var command: String
    var kind: RelayedChannelKind
    var term: String?
    var width: Int?
    var height: Int?
    var timeoutMilliseconds: Int64?
    var hasInput: Bool

    init(key: HolderKey, request: RelayedChannelRequest) {
        self.key = key
        command = request.command
        kind = request.kind
        term = request.terminal?.term
        width = request.terminal?.width
        height = request.terminal?.height
        timeoutMilliseconds = request.timeout.map { $0.inMilliseconds }
        hasInput = request.hasInput
    }

    var terminal: PseudoTerminal? { term.map { PseudoTerminal(term: $0, width: width ?? 80, height: height ?? 24) } }
    var timeout: Duration? { timeoutMilliseconds.map { .milliseconds($0) } }
}

/// A terminal's new size.
struct HolderWindowSize: Codable, Sendable {
    var width: Int
    var height: Int
}

/// How a relayed command ended.
struct HolderExit: Codable, Sendable {
    var code: Int32?
    var signal: String?
    var coreDumped: Bool?

    init(_ status: RemoteExitStatus) {
        switch status {
        case .exited(let value): code = value
        case .signaled(let name, let core): signal = name; coreDumped = core
        case .closedWithoutStatus: break
        }
    }

    var status: RemoteExitStatus {
        if let code { return .exited(code) }
        if let signal { return .signaled(signal, coreDumped: coreDumped ?? false) }
        return .closedWithoutStatus
    }
}

/// An ``SSHError`` carried over the socket.
struct HolderFailure: Codable, Sendable {
    var kind: String
    var message: String
    var commandNeverStarted: Bool

    init(_ error: SSHError) {
        kind = error.kind.description
        message = error.message
        commandNeverStarted = error.commandNeverStarted
    }

    var error: SSHError {
        SSHError(SSHError.Kind.allKnown.first { $0.description == kind } ?? .protocol, message)
    }
}

/// What `exe-cli connections` shows.
struct HolderListing: Codable, Sendable {
    struct Connection: Codable, Sendable {
        var destination: String
        var identityFiles: [String]
        var hostKeyPolicy: String
        var alive: Bool
        var commandsRun: Int
        var connectionsOpened: Int

        enum CodingKeys: String, CodingKey {
            case destination, alive
            case identityFiles = "identity_files"
            case hostKeyPolicy = "host_key_policy"
            case commandsRun = "commands_run"
            case connectionsOpened = "connections_opened"
        }
    }

    var pid: Int32
    var socket: String
    var idleTimeoutSeconds: Int
    var connections: [Connection]

    enum CodingKeys: String, CodingKey {
        case pid, socket, connections
        case idleTimeoutSeconds = "idle_timeout_seconds"
    }
}
