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
    /// What the command reads from stdin before it starts: `export
    /// NAME='value'` lines.
    public var environmentScript: Data {
        var text = ""
        for (name, value) in environment {
            text += "export \(name)=\(ShellQuote.word(value.reveal()))\n"
        }
        return Data(text.utf8)
    }

    /// The command line for the remote shell. It records its pid, sweeps
    /// the pid files of earlier runs that have exited (so no separate
    /// clean-up round trip is needed), enters the work directory (creating
    /// it), reads the environment from stdin and `exec`s the command, which
    /// then sees an empty stdin.
    public var shellCommand: String {
        let state = ShellQuote.word(stateDirectory)
        let pid = ShellQuote.word(pidFile)
        // umask, not `mkdir -m`: `-m` with `-p` applies only to the last directory.
        var script = "(umask 077 && mkdir -p \(state)) && printf '%s\\n' \"$$\" > \(pid) || exit 125; "
        // An empty file belongs to a run that is still writing it.
        script += "for f in \(state)/run_*.pid; do [ \"$f\" = \(pid) ] || [ ! -s \"$f\" ] || kill -0 \"$(cat \"$f\")\" 2>/dev/null || rm -f \"$f\"; done; "
        script += "mkdir -p \(ShellQuote.word(workDirectory)) && cd \(ShellQuote.word(workDirectory)) || exit 126; "
        if !environment.isEmpty {
            script += "eval \"$(cat)\" || exit 125; "
        }
        if arguments.count == 1 {
            script += "exec /bin/sh -c \(ShellQuote.word(arguments[0]))"
        } else {
            script += "exec " + ShellQuote.command(arguments)
        }
        return script
    }

    /// Signals the command's process group: SIGINT first, then, if it is
    /// still alive after `graceSeconds`, SIGKILL. Returns a shell script.
    /// It waits up to 5 s for the pid file, since an interrupt can arrive
    /// between the channel's start and the command's first line.
    ///
    /// It calls the `kill` program through `env`: the shell's builtin may be
    /// dash's, which cannot signal a process group (`kill -- -PGID`).
    public func interruptScript(graceSeconds: Int) -> String {
        let pid = ShellQuote.word(pidFile)
        return """
            i=0; while [ ! -s \(pid) ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
            [ -s \(pid) ] || exit 0
            p=$(cat \(pid)); env kill -s INT -- "-$p" 2>/dev/null || exit 0
            i=0; while [ $i -lt \(graceSeconds * 10) ] && env kill -0 -- "-$p" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
            env kill -s KILL -- "-$p" 2>/dev/null; exit 0
            """
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
