/// One command line for a remote POSIX shell, built by construction: every
/// word is quoted with ``ShellQuote/word(_:)``, and the only shell syntax
/// in it is what this type's operators add (`&&`, `||`, `;`, `|`,
/// redirections to quoted paths, `exec`). No value can become shell text.
///
/// ```swift
/// let command = ShellCommand("mkdir", "-p", directory)
///     .and(ShellCommand("cat", path).discardingErrors())
/// try await host.run(command)
/// ```
///
/// Operators group their operands with `{ …; }` where the shell's
/// precedence would otherwise change the meaning, so `a.or(b).piped(to: c)`
/// pipes the whole of `a || b` into `c`.
///
/// Anything with more shell logic than that (loops, conditions, traps) is a
/// ``ShellScript``: fixed text that gets its values as positional arguments.
public struct ShellCommand: Sendable, Hashable, CustomStringConvertible {
    /// How tightly the command line binds, for grouping: a simple command
    /// with redirections, a pipeline, an and-or list, a sequence.
    enum Level: Int, Sendable, Hashable, Comparable {
        case simple, pipeline, andOr, sequence

        static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The command line, as the remote shell gets it.
    public let commandLine: String
    let level: Level
    /// Whether it is one simple command (words, maybe redirected), which
    /// ``replacingShell()`` can `exec`.
    let isSimpleCommand: Bool

    private init(rendered: String, level: Level, isSimpleCommand: Bool) {
        commandLine = rendered
        self.level = level
        self.isSimpleCommand = isSimpleCommand
    }

    /// The simple command `words` (the program, then its arguments), each
    /// word quoted.
    ///
    /// - Precondition: `words` is not empty.
    public init(_ words: [String]) {
        precondition(!words.isEmpty, "a shell command needs at least its program")
        self.init(rendered: ShellQuote.command(words), level: .simple, isSimpleCommand: true)
    }

    /// The simple command `interpreter words…`, where `interpreter` is one
    /// of ``ShellScript/Interpreter``'s fixed words (it may be an expansion
    /// such as `"${SHELL:-/bin/sh}"`) and every word is quoted.
    init(interpreterPrefix: String, words: [String]) {
        let rendered = words.isEmpty ? interpreterPrefix : interpreterPrefix + " " + ShellQuote.command(words)
        self.init(rendered: rendered, level: .simple, isSimpleCommand: true)
    }

    /// The simple command `program arguments…`, each word quoted.
    public init(_ program: String, _ arguments: String...) {
        self.init([program] + arguments)
    }

    /// The remote user's login shell, `"${SHELL:-/bin/sh}"` (the one
    /// expansion the builder writes), with `arguments` quoted:
    /// `ShellCommand.loginShell("-l").replacingShell()` is
    /// `exec "${SHELL:-/bin/sh}" -l`.
    public static func loginShell(_ arguments: String...) -> ShellCommand {
        ShellCommand(interpreterPrefix: ShellScript.Interpreter.loginShell.word, words: arguments)
    }

    /// The command line.
    public var description: String { commandLine }

    // MARK: Lists

    /// `self && next`: `next` runs when `self` succeeds.
    public func and(_ next: ShellCommand) -> ShellCommand { joined("&&", next, level: .andOr) }

    /// `self || next`: `next` runs when `self` fails.
    public func or(_ next: ShellCommand) -> ShellCommand { joined("||", next, level: .andOr) }

    /// `self; next`: `next` runs after `self`, whatever its status.
    public func then(_ next: ShellCommand) -> ShellCommand { joined(";", next, level: .sequence) }

    /// `self | next`: `self`'s stdout is `next`'s stdin.
    public func piped(to next: ShellCommand) -> ShellCommand { joined("|", next, level: .pipeline) }

    // MARK: Redirections

    /// `self > path`: stdout replaces the file at `path`.
    public func writingOutput(to path: String) -> ShellCommand { redirected(">", path) }

    /// `self >> path`: stdout is appended to the file at `path`.
    public func appendingOutput(to path: String) -> ShellCommand { redirected(">>", path) }

    /// `self < path`: stdin comes from the file at `path`.
    public func readingInput(from path: String) -> ShellCommand { redirected("<", path) }

    /// `self 2>/dev/null`: stderr is dropped.
    public func discardingErrors() -> ShellCommand { redirected("2>", "/dev/null", spaced: false) }

    /// `exec self`: the command replaces the shell that runs the command
    /// line, keeping its pid (and so its process group, under sshd).
    ///
    /// - Precondition: `self` is a simple command (only those can be `exec`ed).
    public func replacingShell() -> ShellCommand {
        precondition(isSimpleCommand, "only a simple command can replace the shell")
        return ShellCommand(rendered: "exec " + commandLine, level: .simple, isSimpleCommand: true)
    }

    // MARK: Internals

    private func joined(_ operation: String, _ next: ShellCommand, level: Level) -> ShellCommand {
        // Left-associative: a left operand of the same level keeps its meaning
        // unbracketed, a right one does not (`a && (b || c)`).
        let left = self.level > level ? grouped : commandLine
        let right = next.level >= level && next.level != .simple ? next.grouped : next.commandLine
        let separator = operation == ";" ? "; " : " \(operation) "
        return ShellCommand(rendered: left + separator + right, level: level, isSimpleCommand: false)
    }

    private func redirected(_ operation: String, _ path: String, spaced: Bool = true) -> ShellCommand {
        let target = level == .simple ? commandLine : grouped
        let rendered = target + " " + operation + (spaced ? " " : "") + ShellQuote.word(path)
        return ShellCommand(rendered: rendered, level: .simple, isSimpleCommand: isSimpleCommand)
    }

    /// `{ self; }`: one command for the operators around it.
    private var grouped: String { "{ " + commandLine + "; }" }
}
