public import ExeSystem

/// One control-plane command, built from typed values, and the one place that
/// renders it into a command line.
///
/// Rendering rules (reference §2, DESIGN "wire rules"): the command's words,
/// then positionals, then flags as `--flag=value`; `--json` last, and only
/// when the command defines it and the transport asks for it (SSH). Each word
/// is quoted with POSIX single quotes (``ShellQuote/word(_:)``), which the
/// server's shell-style lexer splits back into exactly the same words. When a
/// positional begins with `-` (which the server's flag parser would take for
/// a flag), the flags come first and `--` separates the positionals.
public struct ControlRequest: Sendable {
    /// What a successful command prints.
    public enum ExpectedOutput: Sendable, Hashable {
        /// One or more JSON values; the last is the result.
        case json
        /// Nothing in JSON mode, text lines otherwise (integrations add,
        /// remove, attach, detach, rename). Success is judged by the status.
        case nothing
    }

    /// The command path, e.g. `["share", "set-public"]`.
    public var command: [String]
    /// The positional arguments.
    public var arguments: [ControlWord]
    /// The flags, in order.
    public var flags: [ControlFlag]
    /// Whether the command defines `--json` (reference §3 column J).
    public var definesJSONFlag: Bool
    /// What a successful run prints.
    public var expectedOutput: ExpectedOutput
    /// Whether running the command twice is harmless (`ls`, `whoami`, ...):
    /// such a command is retried once when the connection turns out dead.
    public var isReadOnly: Bool

    /// Creates a request.
    public init(
        _ command: [String], arguments: [ControlWord] = [], flags: [ControlFlag] = [], definesJSONFlag: Bool = true,
        expectedOutput: ExpectedOutput = .json, isReadOnly: Bool = false
    ) {
        self.isReadOnly = isReadOnly
        self.command = command
        self.arguments = arguments
        self.flags = flags
        self.definesJSONFlag = definesJSONFlag
        self.expectedOutput = expectedOutput
    }

    /// The words in order, before quoting.
    func words(appendingJSONFlag: Bool) -> [ControlWord] {
        var flagWords = flags.map(\.word)
        if appendingJSONFlag, definesJSONFlag { flagWords.append("--json") }
        let commandWords = command.map { ControlWord($0) }
        if arguments.contains(where: \.looksLikeFlag) {
            return commandWords + flagWords + ["--"] + arguments
        }
        return commandWords + arguments + flagWords
    }

    /// The command line to send.
    ///
    /// - Parameter appendingJSONFlag: add `--json` if the command defines it
    ///   (SSH); HTTPS forces JSON and must not get the flag.
    public func commandLine(appendingJSONFlag: Bool) -> String {
        words(appendingJSONFlag: appendingJSONFlag).map { ShellQuote.word($0.revealed) }.joined(separator: " ")
    }

    /// The command line for messages and logs, with secrets redacted.
    public func redactedCommandLine(appendingJSONFlag: Bool = false) -> String {
        words(appendingJSONFlag: appendingJSONFlag).map { ShellQuote.word($0.redacted) }.joined(separator: " ")
    }

    /// Every secret in the request, for redacting server messages that echo
    /// an argument back.
    public var secrets: [Secret] {
        (arguments + flags.compactMap(\.value)).flatMap(\.secrets)
    }

    /// `text` with the request's secrets replaced by `[REDACTED]`, including
    /// where the server echoes a value back in quoted form (Go's `%q`, JSON
    /// string escapes, once or twice).
    func redact(_ text: String) -> String {
        let once = secrets.map { Secret(Self.escaped($0.reveal())) }
        let twice = once.map { Secret(Self.escaped($0.reveal())) }
        // Longest forms first, so an escaped form is not half-replaced by the raw one.
        return Secret.redact(Secret.redact(Secret.redact(text, twice), once), secrets)
    }

    private static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
