public import Foundation

/// How a command reached the control plane.
public enum ControlTransport: Sendable, Equatable {
    /// `ssh exe.dev <command>`: `--json` selects JSON; some errors stay text.
    case ssh
    /// `POST /exec`: JSON forced, no stdin.
    case https
}

/// One command line to run, and who runs it.
public struct ControlRequest: Sendable {
    /// The command line as typed (`SSH_ORIGINAL_COMMAND` or the POST body).
    public var commandLine: String
    /// The transport.
    public var transport: ControlTransport
    /// The fingerprint of the caller's key (SSH) or API key (HTTPS).
    public var callerFingerprint: String?
    /// Reads stdin to EOF, at most the given number of bytes (SSH only).
    public var readStandardInput: @Sendable (Int) -> Data

    /// Creates a request.
    public init(
        commandLine: String, transport: ControlTransport, callerFingerprint: String?,
        readStandardInput: @escaping @Sendable (Int) -> Data = { _ in Data() }
    ) {
        self.commandLine = commandLine
        self.transport = transport
        self.callerFingerprint = callerFingerprint
        self.readStandardInput = readStandardInput
    }
}

/// What a command printed and how it ended.
public struct ControlResponse: Sendable, Equatable {
    /// stdout.
    public var output: String
    /// The exit status (0 or 1).
    public var exitStatus: Int32
}

/// The shared values every control command uses.
public struct ControlEnvironment: Sendable {
    /// The simulator's configuration.
    public var configuration: SimConfiguration
    /// The state.
    public var store: StateStore
    /// Processes and files of VMs.
    public var lifecycle: any VMLifecycle
    /// The time.
    public var clock: any SimClock
    /// The plan limits.
    public var plan: SimulatedPlan
    /// The command tree.
    public var tree: CommandTree

    /// Creates an environment.
    public init(
        configuration: SimConfiguration, store: StateStore, lifecycle: any VMLifecycle,
        clock: any SimClock = SystemSimClock(), plan: SimulatedPlan = .standard, tree: CommandTree = .standard
    ) {
        self.configuration = configuration
        self.store = store
        self.lifecycle = lifecycle
        self.clock = clock
        self.plan = plan
        self.tree = tree
    }
}
