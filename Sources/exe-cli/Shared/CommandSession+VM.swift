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
        let destination = vm.sshDestination(defaultUser: environment.ssh.userName)
        let configuration = settings.vmSSHConfiguration(host: destination.host, environment: environment)
        return try await SSHConnection.connect(to: destination, configuration: configuration)
    }
}
