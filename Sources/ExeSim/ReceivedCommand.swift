package import Foundation

/// How a command reached the control plane.
package enum CommandArrival: Sendable, Equatable {
    /// `ssh exe.dev <command>`: `--json` selects JSON; some errors stay text.
    case ssh
    /// `POST /exec`: JSON forced, no stdin.
    case https
}

/// One command line to run, and who runs it.
package struct ReceivedCommand: Sendable {
    /// The command line as typed (`SSH_ORIGINAL_COMMAND` or the POST body).
    package var commandLine: String
    /// The transport.
    package var transport: CommandArrival
    /// The fingerprint of the caller's key (SSH) or API key (HTTPS).
    package var callerFingerprint: String?
    /// Reads stdin to EOF, at most the given number of bytes (SSH only).
    package var readStandardInput: @Sendable (Int) -> Data
    /// Whether the SSH session has a terminal (`ssh -t`): only then does
    /// the output keep its ANSI escapes (see ``ANSIFilter``).
    package var hasTerminal: Bool

    /// Creates a request.
    package init(
        commandLine: String, transport: CommandArrival, callerFingerprint: String?,
        readStandardInput: @escaping @Sendable (Int) -> Data = { _ in Data() }, hasTerminal: Bool = false
    ) {
        self.commandLine = commandLine
        self.transport = transport
        self.callerFingerprint = callerFingerprint
        self.readStandardInput = readStandardInput
        self.hasTerminal = hasTerminal && transport == .ssh
    }
}

/// What a command printed and how it ended.
package struct CommandReply: Sendable, Equatable {
    /// stdout.
    package var output: String
    /// The exit status (0 or 1).
    package var exitStatus: Int32
}

/// The shared values every control command uses.
package struct ControlEnvironment: Sendable {
    /// The simulator's configuration.
    package var configuration: SimConfiguration
    /// The state.
    package var store: StateStore
    /// Processes and files of VMs.
    package var lifecycle: any VMLifecycle
    /// The time.
    package var clock: any SimClock
    /// The plan limits.
    package var plan: SimulatedPlan
    /// The command tree.
    package var tree: CommandTree

    /// Creates an environment.
    package init(
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
