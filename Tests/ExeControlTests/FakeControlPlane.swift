import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation

/// Client-side helpers for the scripted control plane of ExeTestSupport.
struct FakeControlPlane {
    let plane: ScriptedControlPlane
    var server: LoopbackSSHServer { plane.server }

    static func start() async throws -> FakeControlPlane {
        FakeControlPlane(plane: try await ScriptedControlPlane.start())
    }

    var destination: SSHDestination { SSHDestination(host: "127.0.0.1", port: server.port, user: server.user) }

    func sshConfiguration(knownHosts: [String]? = nil, identity: String? = nil) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: server.directory.path, userName: server.user, agentSocket: nil)
        configuration.identityFiles = [identity ?? server.clientKey.privatePath]
        configuration.useDefaultIdentities = false
        configuration.useAgent = false
        configuration.knownHostsFiles = knownHosts ?? [server.knownHostsPath]
        configuration.connectTimeout = .seconds(30)
        configuration.handshakeTimeout = .seconds(30)
        configuration.warningHandler = { _ in }
        return configuration
    }

    func client(knownHosts: [String]? = nil, identity: String? = nil) -> (ControlClient, SSHControlTransport) {
        let transport = SSHControlTransport(
            configuration: .init(destination: destination, ssh: sshConfiguration(knownHosts: knownHosts, identity: identity), commandTimeout: .seconds(20)))
        return (ControlClient(transport: transport), transport)
    }

    func stop() { plane.stop() }
}

/// Runs `body` against a fresh fake control plane and always stops it.
func withControlPlane<T>(_ body: (FakeControlPlane) async throws -> T) async throws -> T {
    let plane = try await FakeControlPlane.start()
    do {
        let result = try await body(plane)
        plane.stop()
        return result
    } catch {
        plane.stop()
        throw error
    }
}
