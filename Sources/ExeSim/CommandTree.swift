/// The commands the simulated exe.dev knows, and the lookup the real
/// dispatcher does: the longest prefix of the words that names a command
/// with a handler wins; `help` is special-cased.
package struct CommandTree: Sendable {
    /// The top-level commands, in help order.
    package let commands: [CommandSpec]

    /// The tree of the simulated server.
    package static let standard = CommandTree(commands: CommandCatalog.all)

    /// Finds the command named by `words`.
    package func resolve(_ words: [String]) -> ResolvedCommand? {
        guard let first = words.first else { return nil }
        if first == "help", let help = commands.first(where: { $0.name == "help" }) {
            return ResolvedCommand(spec: help, canonicalName: "help", arguments: Array(words.dropFirst()))
        }
        var count = words.count
        while count > 0 {
            if let (spec, names) = find(Array(words.prefix(count))), spec.hasHandler {
                return ResolvedCommand(spec: spec, canonicalName: names.joined(separator: " "), arguments: Array(words.dropFirst(count)))
            }
            count -= 1
        }
        return nil
    }

    /// The node at exactly `path` (names or aliases), with its canonical names.
    package func find(_ path: [String]) -> (CommandSpec, [String])? {
        guard let first = path.first, var node = commands.first(where: { $0.matches(first) }) else { return nil }
        var names = [node.name]
        for word in path.dropFirst() {
            guard let next = node.subcommands.first(where: { $0.matches(word) }) else { return nil }
            node = next
            names.append(next.name)
        }
        return (node, names)
    }

    /// The canonical name of a (possibly aliased) command name such as
    /// `add-share-link` or `share add-share-link`; `nil` if unknown.
    package func canonicalName(of text: String) -> String? {
        let words = text.split(separator: " ").map(String.init)
        return find(words).map { $0.1.joined(separator: " ") }
    }
}
