import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// Pattern B with an exe-hosted registry (`registry: exe`).
///
/// docker on the VM cannot pull `REGISTRY-VM.exe.xyz/APP:TAG` itself:
/// exe.dev's proxy answers its anonymous `/v2/` ping with a redirect to the
/// login instead of a `401` challenge (`exeweb/proxy.go`
/// `HandleProxyRequest`: only a request carrying `Authorization` or
/// `X-Exedev-Authorization` gets `401` + `WWW-Authenticate`), so docker
/// never sends the token, and `docker login` cannot change that. Instead the
/// deploy opens a remote port forward (`ssh -R`, `tcpip-forward`; the VMs'
/// `sshd_config` has `AllowTcpForwarding yes`,
/// `exelet/fs/rovol/etc/ssh/sshd_config`) on the VM's `127.0.0.1:<port the
/// VM's sshd picks>`, carried back to this machine's
/// ``ExeRegistryRelay``, which adds the token and reaches the registry VM
/// through the proxy. docker on the VM pulls `127.0.0.1:PORT/APP:TAG`
/// (Docker treats `127.0.0.0/8` as an insecure registry by default, so plain
/// HTTP there is fine; the bytes cross the encrypted SSH connection), tags it
/// as the compose file names it (`REGISTRY-VM.exe.xyz/APP:TAG`) and drops
/// the loopback name, so `compose up` finds it locally. The forward has an
/// SSH connection of its own and is closed when the step ends, also on
/// failure or Ctrl-C. The token stays in this process: not on the VM, not
/// in any argv.
extension ComposeDeployment {
    /// The exe-hosted registry: the address VMs pull from and the loopback
    /// port of the relay; `nil` for an outside registry.
    var exeRegistry: (address: String, relayPort: Int)? {
        guard let push = configuration.exeRegistryPushRepository, let address = configuration.repository?.registry,
            let colon = push.registry.lastIndex(of: ":"), let port = Int(push.registry[push.registry.index(after: colon)...])
        else { return nil }
        return (address, port)
    }

    /// Whether `image` comes from the exe-hosted registry.
    func isFromExeRegistry(_ image: String?) -> Bool {
        guard let exeRegistry, let image, let reference = ImageReference(image) else { return false }
        return reference.registry == exeRegistry.address
    }

    /// `docker compose pull` for the services whose images do not come from
    /// the exe-hosted registry (those are fetched by
    /// ``fetchFromExeRegistry(_:vm:connection:redactor:)``); nothing when
    /// every image does.
    func composePull(_ containers: [ComposeContainer], project: String, connection: any RemoteHost, redactor: SecretRedactor) async throws {
        guard exeRegistry != nil else {
            try await remote(connection, configuration.composeCommand(project: project, ["pull"]), "docker compose pull", redactor: redactor)
            return
        }
        var services: [String] = []
        for container in containers where !isFromExeRegistry(container.image) && !services.contains(container.service) {
            services.append(container.service)
        }
        guard !services.isEmpty else { return }
        try await remote(
            connection, configuration.composeCommand(project: project, ["pull"] + services), "docker compose pull \(services.joined(separator: " "))",
            redactor: redactor)
    }

    /// Makes the images of `containers` that come from the exe-hosted
    /// registry present on the VM under their own names, through a remote
    /// port forward to the relay. Nothing on the VM changes when it fails.
    func fetchFromExeRegistry(_ containers: [ComposeContainer], vm: VM, connection: any RemoteHost, redactor: SecretRedactor) async throws {
        guard let exeRegistry else { return }
        var images: [ImageReference] = []
        for container in containers where isFromExeRegistry(container.image) {
            if let image = container.image.flatMap(ImageReference.init), !images.contains(image) { images.append(image) }
        }
        guard !images.isEmpty else { return }
        let what = images.map(\.description).joined(separator: ", ")
        try await steps.run("fetch", "pulling \(what) on \(vm.name) through a remote port forward to the registry relay") {
            let forwarding: SSHConnection
            do {
                if let connectForForwarding = context.connectForForwarding {
                    forwarding = try await connectForForwarding(vm)
                } else if let direct = try await context.connect(vm) as? SSHConnection {
                    forwarding = direct
                } else {
                    throw DeployError(.vm, "pulling from the exe-hosted registry needs an SSH connection to \(vm.name) that can forward a port")
                }
            } catch let error as DeployError {
                throw error
            } catch {
                throw redactor.error(.vm, "cannot reach \(vm.name) over SSH for the registry forward: \(redactor.describe(error))", underlying: error)
            }
            let steps = self.steps
            let forward: SSHRemoteForward
            do {
                forward = try await SSHRemoteForward.open(
                    connection: forwarding, localPort: exeRegistry.relayPort, problems: { steps.warning(redactor.redact($0)) })
            } catch {
                await CleanupTask.run { await forwarding.close() }
                throw redactor.error(
                    .vm, "\(vm.name) did not open a remote port forward (ssh -R) for the registry: \(redactor.describe(error))", underlying: error)
            }
            do {
                for image in images {
                    var local = "127.0.0.1:\(forward.remotePort)/\(image.path)"
                    if let tag = image.tag { local += ":" + tag }
                    if let digest = image.digest { local += "@" + digest }
                    try await remote(connection, configuration.dockerCommand(["pull", local]), "docker pull \(local)", redactor: redactor)
                    try await remote(
                        connection, configuration.dockerCommand(["tag", local, image.description]), "docker tag \(local) \(image)", redactor: redactor)
                    _ = try? await connection.run(configuration.dockerCommand(["rmi", local]), timeout: .seconds(120))
                }
            } catch {
                await CleanupTask.run {
                    await forward.close()
                    await forwarding.close()
                }
                throw error
            }
            await CleanupTask.run {
                await forward.close()
                await forwarding.close()
            }
        }
    }
}
