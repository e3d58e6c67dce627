import ArgumentParser
import Testing
@testable import exe_cli

/// swift-argument-parser checks a command's definition (unique names, no
/// positional argument after an array, flags that can be given, ...) only in
/// `DEBUG` builds, when the command is parsed, and stops the process on a
/// mistake. The integration tests run executables built without `DEBUG`
/// (``BuiltProduct``), so this debug test bundle builds every command's
/// arguments here: a mistake stops this test run instead.
@Suite("exe-cli's command definitions")
struct CommandDefinitionTests {
    /// Every command with its words after `exe-cli` (`[]` for the root, `["vm", "ls"]`, ...).
    static func commands(under root: any ParsableCommand.Type, path: [String] = []) -> [(any ParsableCommand.Type, [String])] {
        [(root, path)] + root.configuration.subcommands.flatMap { commands(under: $0, path: path + [$0._commandName]) }
    }

    @Test("every command's arguments pass the parser's debug checks and have help")
    func everyCommandPassesTheDebugChecks() {
        let all = Self.commands(under: ExeCommand.self)
        #expect(all.count > 40, "\(all.count) commands")
        for (command, path) in all {
            // Parsing a command's words builds its arguments, which runs the checks.
            _ = try? ExeCommand.parseAsRoot(path + ["--help"])
            #expect(ExeCommand.helpMessage(for: command).contains("USAGE:"), "\(path)")
        }
    }

    /// Two options named `--name`: the check this bundle relies on stops the
    /// process, so it is on here.
    struct DuplicateNames: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "duplicate")
        @Option(name: .customLong("name")) var first: String?
        @Option(name: .customLong("name")) var second: String?
    }

    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(subcommands: [DuplicateNames.self])
    }

    @Test("the debug checks are on in this bundle: a command with a duplicate option name stops the process")
    func theChecksAreOn() async {
        await #expect(processExitsWith: .failure) {
            _ = try? CommandDefinitionTests.Root.parseAsRoot(["duplicate", "--help"])
        }
    }
}
