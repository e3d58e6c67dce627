import ExeControl
import ExeDeploy
import ExeSSH
import ExeSystem
import Foundation

/// `registry: exe` / `registry.vm: NAME` in `exe.deploy.yaml`: the deploy
/// pushes to and deploys from the registry VM (`exe-cli registry up`).
enum ExeHostedRegistry {
    /// What a deploy holds on the registry until it ends: the relay and
    /// the registry's use lock (``ExeRegistryLock``), so `registry gc`
    /// waits instead of deleting blobs under its push or pull.
    struct Hold: Sendable {
        let relay: ExeRegistryRelay
        let lock: ExeRegistryLock
        let connection: SSHConnection

        /// Stops the relay and releases the lock, in a task of its own so
        /// that an interrupted deploy still releases it.
        func end() async {
            relay.stop()
            await Self.release(lock, connection)
        }
    }

    /// How long a deploy waits for a running `registry gc` to end.
    static let collectionWait: Duration = .seconds(120)

    /// Resolves the registry VM, takes its use lock, mints a short-lived
    /// token for it, and starts a relay: the builder pushes to the relay
    /// (``DeployConfiguration/exeRegistryPushRepository``); Pattern A's VMs
    /// are created from `ADDRESS/APP:TAG` with user `exe` and the token
    /// (kept only in the configuration's secret, so every message redacts
    /// it); Pattern B's VM pulls through a remote port forward to the same
    /// relay (`ComposeDeployment+ExeRegistry`). Returns what to end after
    /// the deploy; `nil` when the registry is not exe-hosted.
    static func prepare(_ configuration: inout DeployConfiguration, session: CommandSession) async throws -> Hold? {
        guard let wanted = configuration.exeRegistryVM else { return nil }
        let registry = RegistrySession(session: session, name: try await RegistrySession.name(wanted.isEmpty ? nil : wanted, session: session))
        let vm = try await registry.existingVM()
        let access = try registry.access(for: vm)
        let app = configuration.app
        guard let pull = ImageReference("\(access.address)/\(app)") else {
            throw DeployError(.configuration, "the app name \(app) does not make an image repository")
        }
        let connection = try await session.connect(to: vm)
        let details = DeployLockDetails(
            app: app, holder: configuration.actor, host: configuration.hostName, action: "deploy", acquiredAt: Date())
        let lock: ExeRegistryLock
        do {
            lock = try await ExeRegistryLock.acquire(.use, details: details, connection: connection, wait: collectionWait)
        } catch let error as ExeRegistryLockError {
            await connection.close()
            throw DeployError(.lockHeld, "\(vm.name): \(error)")
        } catch {
            await connection.close()
            throw error
        }
        let relay: ExeRegistryRelay
        do {
            relay = try access.relay(vmProxy: session.environment.variable("EXE_VM_PROXY"), trust: session.settings.trust)
        } catch {
            await Hold.release(lock, connection)
            throw error
        }
        guard let push = ImageReference("127.0.0.1:\(relay.port)/\(app)") else {
            let hold = Hold(relay: relay, lock: lock, connection: connection)
            await hold.end()
            throw DeployError(.configuration, "the app name \(app) does not make an image repository")
        }
        configuration.repository = pull
        configuration.exeRegistryPushRepository = push
        configuration.registryUser = "exe"
        configuration.registryPassword = access.token
        return Hold(relay: relay, lock: lock, connection: connection)
    }
}

extension ExeHostedRegistry.Hold {
    /// Releases `lock` and closes `connection` in a task of its own.
    static func release(_ lock: ExeRegistryLock, _ connection: SSHConnection) async {
        await Task {
            await lock.release()
            await connection.close()
        }.value
    }
}
