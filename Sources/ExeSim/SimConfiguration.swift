import Foundation

/// What `up` decided once for a state directory: ports, the login user,
/// the account email, the executable to run for forced commands.
package struct SimConfiguration: Codable, Sendable, Equatable {
    /// The state directory.
    package var stateDirectory: String
    /// Absolute path of the `exe-sim` executable.
    package var executable: String
    /// The local user VMs log in as.
    package var user: String
    /// That user's home directory (the mount point of a VM's home).
    package var home: String
    /// The account's email address.
    package var email: String
    /// The control-plane sshd's port.
    package var controlPort: Int
    /// The daemon's `/exec` port.
    package var apiPort: Int
    /// The registry's port.
    package var registryPort: Int
    /// The registry's user name.
    package var registryUser: String
    /// Whether podman was found working at `up` (`false`: no containers run,
    /// and `https_url` answers 503 saying so).
    package var containerRuntimeAvailable: Bool
    /// Why podman is unusable, when it is.
    package var containerRuntimeProblem: String?
    /// A short id that prefixes container names and labels, so two
    /// simulators on one machine never touch each other's containers.
    package var instanceID: String
    /// For how many seconds after `new` a VM's SSH address is answered by
    /// the lobby instead of the VM (`EXE_SIM_LOBBY_WINDOW` at `up`; `nil`:
    /// never). exe.dev does this until a new VM's SSH route is live: the
    /// lobby accepts `true` and exits 0, so readiness probes must check
    /// output only the VM can produce.
    package var lobbyWindowSeconds: Double? = nil

    /// The TLS terminator's port in front of ``apiPort`` (`up --tls`);
    /// `nil`: the simulator serves plain HTTP only.
    package var tlsPort: Int? = nil

    /// Whether each VM has its own network namespace (``VMNetwork``);
    /// `nil` (a state directory from before) is ``VMNetworkMode/shared``.
    package var vmNetwork: VMNetworkMode? = nil
    /// Why VMs share the host's network, when they do.
    package var vmNetworkProblem: String? = nil

    /// Whether VMs have their own network namespaces.
    package var isolatesVMNetworks: Bool { vmNetwork == .isolated }

    /// VM `vmID`'s own network namespace; `nil` when VMs share the host's.
    package func network(forVM vmID: String) -> VMNetwork? {
        isolatesVMNetworks ? VMNetwork(instanceID: instanceID, vmID: vmID) : nil
    }

    /// Whether TLS is served: VM URLs are then written `https://`
    /// (`bestScheme`, `execore/exe.go`).
    package var servesTLS: Bool { tlsPort != nil }

    /// The registry's `host:port`.
    package var registryAddress: String { "127.0.0.1:\(registryPort)" }

    /// Reads the configuration of the state directory at `paths`.
    package static func load(_ paths: SimPaths) throws -> SimConfiguration {
        let data = try Data(contentsOf: URL(fileURLWithPath: paths.configuration))
        return try JSONDecoder().decode(SimConfiguration.self, from: data)
    }
}
