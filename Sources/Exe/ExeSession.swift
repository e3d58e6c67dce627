public import ExeControl
public import ExeDeploy
public import ExeLease
public import ExeSSH
public import ExeSystem

/// One entry point to exe: from one configuration, the control-plane
/// client, the VMs as hosts, deployers and leases, all closed when
/// ``with(_:_:)`` returns.
///
/// ```swift
/// import Exe, ExeControl, ExeSSH
///
/// let configuration = ExeConfiguration(
///     controlHost: "exe.dev", ssh: SSHSettingsResolver(identity: "~/.ssh/ci_key", knownHosts: "~/.ssh/known_hosts"))
/// try await ExeSession.with(configuration) { exe in
///     for vm in try await exe.control.list().vms { print(vm.name) }
///     let vm = try await exe.control.create(NewVMOptions(name: "demo"))
///     let uname = try await exe.vms.withHost(vm) { try await $0.run("uname -a", check: true).stdout }
/// }
/// ```
public struct ExeSession: Sendable {
    /// The configuration the session was made from.
    public let configuration: ExeConfiguration
    /// Where the control host is (after ssh_config).
    public let controlDestination: SSHDestination
    /// The control-plane client.
    public let control: ControlClient
    /// How to reach VMs (SSH, with the configuration's ssh_config, identity,
    /// known hosts and host-key policy).
    public let vms: SSHVMConnector

    /// Connects nothing yet: builds the client and the VM connector from
    /// `configuration`, runs `body`, and closes the client's connections
    /// afterwards, whether `body` returns or throws.
    public static func with<T>(_ configuration: ExeConfiguration, _ body: (ExeSession) async throws -> T) async throws -> T {
        let (destination, ssh) = try configuration.ssh.controlHost(configuration.controlHost)
        let client = ControlClient(transport: SSHControlTransport(configuration: .init(destination: destination, ssh: ssh)))
        let resolver = configuration.ssh
        let session = ExeSession(
            configuration: configuration, controlDestination: destination, control: client,
            vms: SSHVMConnector(defaultUser: configuration.ssh.environment.userName) {
                resolver.configuration(forVM: $0.host, controlHost: configuration.controlHost)
            })
        do {
            let result = try await body(session)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// A deployer for `configuration` (made in code, or the `value` of
    /// `DeployConfiguration.resolve`),
    /// reaching VMs through ``vms``.
    public func deployer(_ configuration: DeployConfiguration, progress: @escaping @Sendable (DeployEvent) -> Void = { _ in }) -> Deployer {
        Deployer(
            configuration: configuration,
            context: DeployContext(
                control: control, vms: vms, httpProbe: HTTPClientProbe(connectTo: self.configuration.vmURLAddress, trust: self.configuration.tlsTrust), progress: progress))
    }

    /// The lease service for the repository at `repositoryRoot`, with
    /// `settings` (made in code, or the `value` of `LeaseSettings.resolve`)
    /// and claims in `claims`.
    public func leases(
        settings: LeaseSettings, repositoryRoot: String, claims: LeaseClaimStore = .standard(),
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) -> Leases {
        Leases(context: LeaseContext(
            control: control, controlHost: configuration.controlHost, claims: claims, settings: settings, vms: vms,
            repositoryRoot: repositoryRoot, progress: progress))
    }
}

/// What an ``ExeSession`` is made from: the control host and the SSH policy.
public struct ExeConfiguration: Sendable {
    /// The control host: `exe.dev`, or `host:port` / `user@host:port` (a simulator).
    public var controlHost: String
    /// ssh_config, identity, known hosts and host-key policy, for the
    /// control host and the VMs alike.
    public var ssh: SSHSettingsResolver
    /// Where VM URLs are reached (`HOST:PORT`) instead of resolving their
    /// names, with the name kept in the `Host` header: exe-sim's
    /// `EXE_VM_PROXY`. `nil` (exe.dev): names resolve as usual.
    public var vmURLAddress: String?
    /// Which CAs an `https://` server's certificate (a VM URL's health
    /// check) must chain to: the system store, or a CA file such as the
    /// one `exe-sim up --tls` prints as `EXE_CA_FILE`.
    public var tlsTrust: TLSTrust

    /// A configuration.
    public init(
        controlHost: String = "exe.dev", ssh: SSHSettingsResolver = SSHSettingsResolver(), vmURLAddress: String? = nil,
        tlsTrust: TLSTrust = .systemStore
    ) {
        self.controlHost = controlHost
        self.ssh = ssh
        self.vmURLAddress = vmURLAddress
        self.tlsTrust = tlsTrust
    }
}
