public import ExeSystem
public import Foundation

/// A command to run in a lease's work directory, built so that
///
/// - forwarded environment values never appear in any argv and never touch
///   the VM's disk: they travel on the command's stdin, which the shell
///   reads with `cat` and evaluates before it `exec`s the command;
/// - the command leads its own process group (sshd starts each session in a
///   new session; the shell records its pid and `exec`s the command), so an
///   interrupt reaches it and everything it started;
/// - several words run as an argument vector, each quoted; a single word is
///   a shell script (`lease run -- 'make && make test'`).
public struct RemoteCommand: Sendable {
    /// The words after `--`.
    public var arguments: [String]
    /// The directory to run in.
    public var workDirectory: String
    /// Variables to set; values are treated as secrets.
    public var environment: [(name: String, value: Secret)]
    /// Where the pid files go.
    public var stateDirectory: String
    /// Identifies this run's files.
    public var runID: String

    /// Creates a command.
    public init(arguments: [String], workDirectory: String, environment: [(name: String, value: Secret)], stateDirectory: String, runID: String) {
        self.arguments = arguments
        self.workDirectory = workDirectory
        self.environment = environment
        self.stateDirectory = stateDirectory
        self.runID = runID
    }

    /// A new run id: `run_` + 12 hex digits.
    public static func newRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "run_" + (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }

    /// The file holding the command's pid (= its process group id).
    public var pidFile: String { stateDirectory + "/" + runID + ".pid" }
    /// What the command reads from stdin before it starts: one `export
    /// NAME=value` command a line, every word quoted.
    public var environmentScript: Data {
        var text = ""
        for (name, value) in environment {
            text += ShellCommand("export", name + "=" + value.reveal()).commandLine + "\n"
        }
        return Data(text.utf8)
    }

    /// `Scripts/run.sh`: the wrapper every run goes through.
    static let runScript = ShellScript(name: "exe-run", bytes: PackageResources.run_sh)
    /// `Scripts/interrupt.sh`: signals a run's process group.
    static let interruptScript = ShellScript(name: "exe-interrupt", bytes: PackageResources.interrupt_sh)

    /// The command line for the remote shell: `exec sh -c '<run.sh>' …`
    /// with the directories, the pid file and the words as arguments. It
    /// replaces the login shell (keeping its pid, which leads the session's
    /// process group), records that pid, sweeps the pid files of earlier
    /// runs that have exited (so no separate clean-up round trip is
    /// needed), enters the work directory (creating it), reads the
    /// environment from stdin and `exec`s the command, which then sees an
    /// empty stdin.
    public var shellCommand: ShellCommand {
        let environment = self.environment.isEmpty ? "without-environment" : "with-environment"
        return Self.runScript.command([stateDirectory, pidFile, workDirectory, environment] + arguments).replacingShell()
    }

    /// Signals the command's process group: SIGINT first, then, if it is
    /// still alive after `graceSeconds`, SIGKILL (`Scripts/interrupt.sh`).
    /// It waits up to 5 s for the pid file, since an interrupt can arrive
    /// between the channel's start and the command's first line.
    public func interruptScript(graceSeconds: Int) -> ShellCommand {
        Self.interruptScript.command(pidFile, String(graceSeconds * 10))
    }

    /// Which names to forward: `allowed` names (a trailing `*` is a prefix)
    /// that are set in `environment`.
    public static func forwardedEnvironment(allowed: [String], from environment: [String: String]) -> [(name: String, value: Secret)] {
        var out: [(String, Secret)] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            let matches = allowed.contains { pattern in
                pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
            }
            if matches, isValidName(name) { out.append((name, Secret(value))) }
        }
        return out
    }

    /// Whether `name` is a valid shell variable name.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
