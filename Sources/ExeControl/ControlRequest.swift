public import ExeSystem

/// One control-plane command, built from typed values, and the one place that
/// renders it into a command line.
///
/// Rendering rules (reference §2, DESIGN "wire rules"): the command's words,
/// then positionals, then flags as `--flag=value`; `--json` last, and only
/// when the command defines it and the transport asks for it (SSH). Each word
/// is quoted with POSIX single quotes (`ShellQuote/word(_:)`), which the
/// server's shell-style lexer splits back into exactly the same words. When a
/// positional begins with `-` (which the server's flag parser would take for
/// a flag), the flags come first and `--` separates the positionals.
public struct ControlRequest: Sendable {
    /// What a successful command prints.
    public enum ExpectedOutput: Sendable, Hashable {
        /// One or more JSON values; the last is the result.
        case json
        /// Nothing in JSON mode (HTTPS), text lines over SSH, where success
        /// prints a line starting with one of `linePrefixes` (integrations
        /// add, remove, attach, detach, rename; `rename` to the same name).
        /// The exit status cannot tell: exe.dev closes a failed command's
        /// channel without one, which libssh2 1.10 reads as 0
        /// (`handleExec` in `execore/ssh_server.go`).
        case confirmation(linePrefixes: [String])
        /// Nothing at all on success (`rename` to the same name: its line is
        /// written with `Writeln`, which prints nothing in JSON mode); any
        /// output is the failure's message.
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
    /// where the server echoes a value back in quoted form, once or twice:
    /// Go's `%q` (`\n`, `\x07`), and Go's JSON string escapes (`\n`,
    /// `\u0007`, and `\u0026 \u003c \u003e` for `& < >`, which
    /// `encoding/json` escapes for HTML safety).
    func redact(_ text: String) -> String {
        var forms = Set<String>()
        for secret in secrets {
            let raw = secret.reveal()
            forms.insert(raw)
            for outer in EchoEscaping.allCases {
                let once = outer.escape(raw)
                forms.insert(once)
                for inner in EchoEscaping.allCases { forms.insert(inner.escape(once)) }
            }
        }
        // Longest forms first, so an escaped form is not half-replaced by the raw one.
        let ordered = forms.sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 }
        return Secret.redact(text, ordered.map { Secret($0) })
    }

    /// The ways the server escapes a value it echoes inside a string.
    enum EchoEscaping: CaseIterable {
        /// Go's `%q` / `strconv.Quote`, without the quotes.
        case goQuote
        /// Go's `encoding/json` since Go 1.22 (`\b` and `\f` short forms).
        case json
        /// Go's `encoding/json` before 1.22 (`\u0008`, `\u000c`).
        case jsonLegacy

        func escape(_ text: String) -> String {
            var result = ""
            for scalar in text.unicodeScalars {
                switch (self, scalar) {
                case (_, "\\"): result += "\\\\"
                case (_, "\""): result += "\\\""
                case (_, "\n"): result += "\\n"
                case (_, "\r"): result += "\\r"
                case (_, "\t"): result += "\\t"
                case (.goQuote, "\u{7}"): result += "\\a"
                case (.goQuote, "\u{8}"), (.json, "\u{8}"): result += "\\b"
                case (.goQuote, "\u{C}"), (.json, "\u{C}"): result += "\\f"
                case (.goQuote, "\u{B}"): result += "\\v"
                default:
                    let value = scalar.value
                    if self == .goQuote {
                        if value < 0x20 || value == 0x7F {
                            result += "\\x" + Self.hex(value, digits: 2)
                        } else if !Self.isPrintable(scalar) {
                            result += value < 0x10000 ? "\\u" + Self.hex(value, digits: 4) : "\\U" + Self.hex(value, digits: 8)
                        } else {
                            result.unicodeScalars.append(scalar)
                        }
                    } else if value < 0x20 || value == 0x2028 || value == 0x2029 || scalar == "&" || scalar == "<" || scalar == ">" {
                        result += "\\u" + Self.hex(value, digits: 4)
                    } else {
                        result.unicodeScalars.append(scalar)
                    }
                }
            }
            return result
        }

        /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation,
        /// symbols and the ASCII space.
        private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .spaceSeparator: return scalar == " "
            case .lineSeparator, .paragraphSeparator, .control, .format, .surrogate, .privateUse, .unassigned: return false
            default: return true
            }
        }

        /// Lowercase hex, zero-padded, as Go writes it.
        private static func hex(_ value: UInt32, digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
    }
}
