import ExeControl
import ExeSSH

extension CommandSession {
    /// Looks `name` up on the control plane and opens an SSH connection to
    /// it (``VMEndpoint``), with the global identity, known hosts and host key
    /// policy, and what `~/.ssh/config` says about the VM's host.
    func connectToVM(named name: String) async throws -> SSHConnection {
        guard let vm = try await client.vm(named: name) else {
            throw ControlError(.notFound, "VM \"\(name)\" not found")
        }
        // A paused VM's SSH does not answer: say so instead of waiting for a timeout.
        if vm.status == .paused {
            throw ControlError(.conflict, "VM \"\(name)\" is paused; resume it first: exe-cli vm resume \(name)")
        }
        return try await connect(to: vm)
    }

    /// Opens an SSH connection to `vm` as the control plane described it.
    func connect(to vm: VM) async throws -> SSHConnection {
        try await vmConnector().open(vm.sshDestination(defaultUser: environment.ssh.userName))
    }

    /// Opens a direct SSH connection to `vm` (never relayed through the
    /// connection holder), for what a relayed connection cannot carry: a
    /// remote port forward.
    func connectDirect(to vm: VM) async throws -> SSHConnection {
        let destination = vm.sshDestination(defaultUser: environment.ssh.userName)
        let configuration = settings.vmSSHConfiguration(host: destination.host, environment: environment)
        return try await SSHConnection.connect(to: destination, configuration: configuration)
    }

    /// The session's way to VMs as a ``VMConnector`` (its identity, known
    /// hosts, host-key policy, ssh_config, and the connection holder).
    func vmConnector() -> SessionVMConnector {
        let settings = self.settings
        let environment = self.environment
        return SessionVMConnector(defaultUser: environment.ssh.userName) { destination in
            let configuration = settings.vmSSHConfiguration(host: destination.host, environment: environment)
            return try await settings.persistence.connect(to: destination, configuration: configuration)
        }
    }

    /// Runs `body` with a connection to the VM, closing it (and waiting for
    /// its thread) afterwards, whether `body` succeeds or throws.
    func withVMConnection<T>(named name: String, _ body: (SSHConnection) async throws -> T) async throws -> T {
        let connection = try await connectToVM(named: name)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}

/// A ``VMConnector`` over the session's SSH settings.
struct SessionVMConnector: VMConnector {
    let defaultUser: String
    let open: @Sendable (SSHDestination) async throws -> SSHConnection

    func connect(to destination: SSHDestination) async throws -> any RemoteHost { try await open(destination) }
}
