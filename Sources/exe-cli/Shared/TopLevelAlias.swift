import ArgumentParser

/// The control commands `ssh exe.dev` users type at the top level
/// (`exe-cli ls`, `exe-cli new`, `exe-cli rm NAME`): they are the `vm`
/// subcommands of the same name, so a habit carries over.
enum TopLevelAlias {
    /// The `vm` subcommand names (`ls`, `new`, `rm`, `share`, `exec`, ...).
    static var vmCommandNames: Set<String> {
        Set(VMCommand.configuration.subcommands.map { $0._commandName })
    }

    /// `arguments` (without the program name) with a leading `vm`
    /// subcommand name prefixed by `vm`; other arguments unchanged.
    static func expand(_ arguments: [String]) -> [String] {
        guard let first = arguments.first, vmCommandNames.contains(first) else { return arguments }
        let topLevel = Set(ExeCommand.configuration.subcommands.map { $0._commandName })
        guard !topLevel.contains(first) else { return arguments }
        return ["vm"] + arguments
    }
}
