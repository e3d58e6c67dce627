/// The commands the simulated exe.dev knows, and the lookup the real
/// dispatcher does: the longest prefix of the words that names a command
/// with a handler wins; `help` is special-cased.
package struct CommandTree: Sendable {
    /// The top-level commands, in help order.
    package let commands: [CommandSpec]

    /// The tree of the simulated server.
    package static let standard = CommandTree(commands: CommandCatalog.all)

    /// Finds the command named by `words`, each command word compared as
    /// `matching` says (`executeCommand` lowercases them, `ResolveCommandName`
    /// does not).
    package func resolve(_ words: [String], matching: CommandWordMatching = .lowercased) -> ResolvedCommand? {
        guard let first = words.first else { return nil }
        // executeCommand: strings.EqualFold(commandPath[0], "help").
        if matching.normalized(first) == "help", let help = commands.first(where: { $0.name == "help" }) {
            return ResolvedCommand(spec: help, canonicalName: "help", arguments: Array(words.dropFirst()))
        }
        var count = words.count
        while count > 0 {
            if let (spec, names) = find(Array(words.prefix(count)), matching: matching), spec.hasHandler {
                return ResolvedCommand(spec: spec, canonicalName: names.joined(separator: " "), arguments: Array(words.dropFirst(count)))
            }
            count -= 1
        }
        return nil
    }

    /// The node at exactly `path` (names or aliases), with its canonical names.
    package func find(_ path: [String], matching: CommandWordMatching = .lowercased) -> (CommandSpec, [String])? {
        guard let first = path.first, var node = commands.first(where: { $0.matches(matching.normalized(first)) }) else { return nil }
        var names = [node.name]
        for word in path.dropFirst() {
            guard let next = node.subcommands.first(where: { $0.matches(matching.normalized(word)) }) else { return nil }
            node = next
            names.append(next.name)
        }
        return (node, names)
    }

    /// The canonical name of a (possibly aliased) command name such as
    /// `add-share-link` or `share add-share-link`; `nil` if unknown.
    package func canonicalName(of text: String) -> String? {
        let words = text.split(separator: " ").map(String.init)
        return find(words, matching: .exact).map { $0.1.joined(separator: " ") }
    }
}

/// How a command word is compared with the names in the tree.
package enum CommandWordMatching: Sendable {
    /// `FindCommand` (`exemenu/command_system.go`), which runs every
    /// command: the command and subcommand words are lowercased
    /// (`strings.ToLower`) before they are compared; arguments and flags
    /// are left alone.
    case lowercased
    /// `ResolveCommandName`/`findCanonicalPath`, which the HTTPS API uses
    /// to check a token's `cmds` (`execore/exec_handler.go`): words as typed,
    /// so `LS` is an `unknown command` there.
    case exact

    func normalized(_ word: String) -> String {
        switch self {
        case .lowercased: word.lowercased()
        case .exact: word
        }
    }
}
