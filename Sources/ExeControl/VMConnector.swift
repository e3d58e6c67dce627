public import ExeSSH

/// How to reach VMs: turns a VM the control plane described (or a
/// destination recorded earlier, such as a lease claim's) into a connected
/// `RemoteHost`.
///
/// ``SSHVMConnector`` connects over SSH, with an `SSHClientConfiguration`
/// per host (ssh_config, identities, known hosts, host-key policy).
/// `ExeTesting.InMemoryVMConnector` hands out in-memory hosts, so deploy and
/// lease logic runs in unit tests without a network.
public protocol VMConnector: Sendable {
    /// The user SSH logs in as when the control plane names none.
    var defaultUser: String { get }

    /// Connects to `destination`. The caller closes the host.
    func connect(to destination: SSHDestination) async throws -> any RemoteHost
}

extension VMConnector {
    /// Where `vm` is reached (see ``VMEndpoint``).
    public func destination(of vm: VM) -> SSHDestination {
        vm.sshDestination(defaultUser: defaultUser)
    }

    /// Connects to `vm` at ``destination(of:)``. The caller closes the host.
    public func connect(to vm: VM) async throws -> any RemoteHost {
        try await connect(to: destination(of: vm))
    }

    /// Runs `body` with a host connected to `vm`, and closes it afterwards,
    /// whether `body` returns or throws.
    public func withHost<T: Sendable>(_ vm: VM, _ body: (any RemoteHost) async throws -> T) async throws -> T {
        try await withHost(at: destination(of: vm), body)
    }

    /// Runs `body` with a host connected to `destination`, and closes it
    /// afterwards, whether `body` returns or throws.
    public func withHost<T: Sendable>(at destination: SSHDestination, _ body: (any RemoteHost) async throws -> T) async throws -> T {
        let host = try await connect(to: destination)
        do {
            let result = try await body(host)
            await host.close()
            return result
        } catch {
            await host.close()
            throw error
        }
    }
}

/// Connects to VMs over SSH (`SSHConnection`).
public struct SSHVMConnector: VMConnector {
    /// The user SSH logs in as when the control plane names none.
    public let defaultUser: String
    private let configurationForDestination: @Sendable (SSHDestination) -> SSHClientConfiguration

    /// A connector that uses `configuration(destination)` for each VM
    /// (for example what `~/.ssh/config` says about its host).
    public init(defaultUser: String, configuration: @escaping @Sendable (SSHDestination) -> SSHClientConfiguration) {
        self.defaultUser = defaultUser
        self.configurationForDestination = configuration
    }

    /// A connector that uses the same `configuration` for every VM.
    public init(defaultUser: String, configuration: SSHClientConfiguration) {
        self.init(defaultUser: defaultUser) { _ in configuration }
    }

    /// The SSH configuration used for `destination`.
    public func configuration(for destination: SSHDestination) -> SSHClientConfiguration {
        configurationForDestination(destination)
    }

    /// Opens an SSH connection to `destination`.
    public func connect(to destination: SSHDestination) async throws -> any RemoteHost {
        try await SSHConnection.connect(to: destination, configuration: configuration(for: destination))
    }

    /// Opens an SSH connection to `destination`, as the concrete
    /// `SSHConnection` (for interactive shells, which a `RemoteHost`
    /// does not offer).
    public func sshConnection(to destination: SSHDestination) async throws -> SSHConnection {
        try await SSHConnection.connect(to: destination, configuration: configuration(for: destination))
    }
}
