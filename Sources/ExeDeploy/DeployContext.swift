public import ExeControl
public import ExeSSH
public import ExeSystem

/// The side effects a deploy uses, in one injectable value: the control
/// plane, local processes (builders, git), SSH to VMs, HTTP probes, time,
/// and where progress goes. The file system root is the configuration's
/// repository root.
public struct DeployContext: Sendable {
    /// The control-plane client (one reused connection).
    public var control: ControlClient
    /// Runs builders and git.
    public var processRunner: any ProcessRunner
    /// Wall clock, monotonic clock, sleep.
    public var clock: DeployClock
    /// Connects to a VM: an SSH connection in production (the CLI resolves
    /// `ssh_host`, `ssh_user`, `ssh_port`, identities and known hosts), an
    /// in-memory host in unit tests.
    public var connect: @Sendable (VM) async throws -> any RemoteHost
    /// Opens a direct SSH connection to a VM for a remote port forward
    /// (`ssh -R`, which a connection relayed through the connection holder
    /// cannot carry): Pattern B pulls from an exe-hosted registry through
    /// one. `nil`: ``connect`` is used, and must give an `SSHConnection`.
    public var connectForForwarding: (@Sendable (VM) async throws -> SSHConnection)?
    /// Sends health-check requests.
    public var httpProbe: any HTTPProbe
    /// Receives progress.
    public var progress: @Sendable (DeployEvent) -> Void

    /// Creates a context that reaches VMs through `vms`.
    public init(
        control: ControlClient, vms: any VMConnector, processRunner: any ProcessRunner = LocalProcessRunner(),
        clock: DeployClock = .system, httpProbe: any HTTPProbe = HTTPClientProbe(),
        progress: @escaping @Sendable (DeployEvent) -> Void = { _ in }
    ) {
        self.init(
            control: control, processRunner: processRunner, clock: clock, connect: { vm in try await vms.connect(to: vm) },
            httpProbe: httpProbe, progress: progress)
    }

    /// Creates a context that reaches VMs with `connect`.
    public init(
        control: ControlClient, processRunner: any ProcessRunner = LocalProcessRunner(), clock: DeployClock = .system,
        connect: @escaping @Sendable (VM) async throws -> any RemoteHost, httpProbe: any HTTPProbe = HTTPClientProbe(),
        progress: @escaping @Sendable (DeployEvent) -> Void = { _ in }
    ) {
        self.control = control
        self.processRunner = processRunner
        self.clock = clock
        self.connect = connect
        self.httpProbe = httpProbe
        self.progress = progress
    }
}
