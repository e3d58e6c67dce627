import ExeControl
import ExeDeploy
import ExeSystem

/// `registry: exe` / `registry.vm: NAME` in `exe.deploy.yaml`: the deploy
/// pushes to and deploys from the registry VM (`exe-cli registry up`).
enum ExeHostedRegistry {
    /// Resolves the registry VM, mints a short-lived token for it, and
    /// starts a relay: the builder pushes to the relay
    /// (``DeployConfiguration/exeRegistryPushRepository``), VMs pull
    /// `ADDRESS/APP:TAG` with user `exe` and the token (kept only in the
    /// configuration's secret, so every message redacts it). Returns the
    /// relay to stop after the deploy; `nil` when the registry is not exe-hosted.
    static func prepare(_ configuration: inout DeployConfiguration, session: CommandSession) async throws -> ExeRegistryRelay? {
        guard let wanted = configuration.exeRegistryVM else { return nil }
        guard configuration.pattern.value == .replace else {
            throw DeployError(
                .configuration,
                "registry: exe works with pattern: replace only so far: a compose VM pulls with docker inside the VM, which cannot pass exe.dev's login redirect (Docs/ExeDeploy.md)")
        }
        let registry = RegistrySession(session: session, name: try await RegistrySession.name(wanted.isEmpty ? nil : wanted, session: session))
        let vm = try await registry.existingVM()
        let access = try registry.access(for: vm)
        let relay = try access.relay(vmProxy: session.environment.variable("EXE_VM_PROXY"), trust: session.settings.trust)
        let app = configuration.app.value
        guard let pull = ImageReference("\(access.address)/\(app)"), let push = ImageReference("127.0.0.1:\(relay.port)/\(app)") else {
            relay.stop()
            throw DeployError(.configuration, "the app name \(app) does not make an image repository")
        }
        configuration.repository = DeploySetting(pull, .derived)
        configuration.exeRegistryPushRepository = push
        configuration.registryUser = DeploySetting("exe", .derived)
        configuration.registryPassword = access.token
        return relay
    }
}
