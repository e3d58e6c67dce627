public import ExeSSH
import ExeSystem
import Foundation

extension LoopbackSSHServer {
    /// The server as an ExeSSH destination.
    public var sshDestination: SSHDestination { SSHDestination(host: "127.0.0.1", port: port, user: user) }

    /// A client configuration that reads only this server's files.
    public func clientConfiguration(
        identity: SSHKeyPair? = nil, policy: HostKeyPolicy = .strict, knownHosts: [String]? = nil,
        agentSocket: String? = nil, passphrase: String? = nil
    ) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: directory.path, userName: user, agentSocket: agentSocket)
        configuration.identityFiles = [(identity ?? clientKey).privatePath]
        configuration.useDefaultIdentities = false
        configuration.useAgent = agentSocket != nil
        configuration.hostKeyPolicy = policy
        configuration.knownHostsFiles = knownHosts ?? [knownHostsPath]
        configuration.connectTimeout = .seconds(30)
        configuration.handshakeTimeout = .seconds(30)
        configuration.warningHandler = { _ in }
        if let passphrase {
            configuration.passphraseProvider = { _ in Secret(passphrase) }
        }
        return configuration
    }

    /// Connects with ``clientConfiguration(identity:policy:knownHosts:agentSocket:passphrase:)`` unless given another.
    public func connect(_ configuration: SSHClientConfiguration? = nil) async throws -> SSHConnection {
        try await SSHConnection.connect(to: sshDestination, configuration: configuration ?? clientConfiguration())
    }
}

/// Runs `body` with a fresh server and always stops it afterwards.
public func withServer<T>(_ options: LoopbackSSHServer.Options = .init(), _ body: (LoopbackSSHServer) async throws -> T) async throws -> T {
    let server = try await LoopbackSSHServer.start(options)
    do {
        let result = try await body(server)
        server.cleanUp()
        return result
    } catch {
        server.cleanUp()
        throw error
    }
}
