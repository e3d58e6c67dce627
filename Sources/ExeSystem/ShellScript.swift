/// A fixed POSIX shell script that gets its values as positional arguments
/// (`$1`, `$2`, … or `"$@"`), never in its text.
///
/// The text is a resource of the module that sends it (a `.sh` file that
/// SwiftPM embeds in the code with `.embedInCode`), so it can be read,
/// syntax-checked with `sh -n`, `dash -n` and ShellCheck, and run locally
/// in tests, as it is. ``command(_:)-([String])`` renders the line a remote shell runs:
///
/// ```sh
/// sh -c '<the script>' <name> 'value 1' 'value 2'
/// ```
///
/// in which each argument is one quoted word, so a path with spaces,
/// quotes, `$`, backticks or newlines arrives in `$1` as it was.
public struct ShellScript: Sendable, Hashable {
    /// Which shell runs the script.
    public enum Interpreter: Sendable, Hashable {
        /// `sh`, the POSIX shell of the remote machine (dash on Debian).
        case posix
        /// The user's login shell (`"${SHELL:-/bin/sh}"`), for a script
        /// that runs a command line the user wrote for that shell.
        case loginShell

        var word: String {
            switch self {
            case .posix: "sh"
            case .loginShell: #""${SHELL:-/bin/sh}""#
            }
        }
    }

    /// The script's name: its `$0`, shown in the shell's error messages.
    public let name: String
    /// The script.
    public let text: String
    /// Which shell runs it.
    public let interpreter: Interpreter

    /// A script named `name` (its `$0`) with the text `text`.
    public init(name: String, text: String, interpreter: Interpreter = .posix) {
        self.name = name
        self.text = text
        self.interpreter = interpreter
    }

    /// A script from the UTF-8 bytes of an embedded resource
    /// (`PackageResources.<file>_sh`).
    public init(name: String, bytes: [UInt8], interpreter: Interpreter = .posix) {
        self.init(name: name, text: String(decoding: bytes, as: UTF8.self), interpreter: interpreter)
    }

    /// The command line that runs the script with `arguments` as `$1`,
    /// `$2`, …: `sh -c '<script>' <name> <arguments…>`, every word quoted.
    public func command(_ arguments: [String]) -> ShellCommand {
        ShellCommand(interpreterPrefix: interpreter.word, words: ["-c", text, name] + arguments)
    }

    /// The command line that runs the script with `arguments` as `$1`, `$2`, ….
    public func command(_ arguments: String...) -> ShellCommand {
        command(arguments)
    }

    /// The argument vector that runs the script locally:
    /// `["-c", text, name] + arguments`, for `/bin/sh` (tests run each
    /// script this way).
    public func localArguments(_ arguments: [String]) -> [String] {
        ["-c", text, name] + arguments
    }
}
