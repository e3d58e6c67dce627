import ArgumentParser
import Testing
@testable import exe_sim

/// swift-argument-parser checks a command's definition only in `DEBUG`
/// builds, when it is parsed. The integration tests run an `exe-sim` built
/// without `DEBUG` (``BuiltProduct``), so its commands are parsed here, in
/// the debug test bundle (exe-cli's are in `exe-cliTests`).
@Suite("exe-sim's command definitions")
struct SimCommandDefinitionTests {
    @Test("every exe-sim command's arguments pass the parser's debug checks and have help")
    func everyCommandPassesTheDebugChecks() {
        let subcommands = ExeSimCommand.configuration.subcommands
        #expect(subcommands.count >= 8)
        for command in [ExeSimCommand.self] + subcommands {
            let path = command == ExeSimCommand.self ? [] : [command._commandName]
            _ = try? ExeSimCommand.parseAsRoot(path + ["--help"])
            #expect(ExeSimCommand.helpMessage(for: command).contains("USAGE:"), "\(path)")
        }
    }
}
