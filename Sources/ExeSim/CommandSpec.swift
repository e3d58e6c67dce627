/// One node of the command tree: a command or a subcommand, its flags and
/// its help text, as the real server's `exemenu.Command` describes it.
package struct CommandSpec: Sendable {
    /// The word that selects it.
    package let name: String
    /// Other words that select it (`int` for `integrations`).
    package let aliases: [String]
    /// One line for help.
    package let description: String
    /// The usage line.
    package let usage: String
    /// Its flags; `nil` when the command defines no flag set at all
    /// (then even `--json` is an unknown flag).
    package let flags: [GoFlag]?
    /// Examples for help.
    package let examples: [String]
    /// Its subcommands.
    package let subcommands: [CommandSpec]
    /// Whether it takes positional arguments.
    package let hasPositionalArgs: Bool
    /// Whether words go to the handler unparsed (`help`).
    package let rawArgs: Bool
    /// Hidden from help.
    package let hidden: Bool
    /// Whether it can run at all (parent commands with only subcommands
    /// still have a handler that prints their help).
    package let hasHandler: Bool
    /// Whether its `Available` check passes for the simulated account.
    /// `false` for team commands (the simulator has no teams): running one
    /// is `exe.dev repl: command not available: "..."` and help leaves it
    /// out (`exemenu/command_system.go`).
    package let available: Bool

    /// Creates a node.
    package init(
        _ name: String, aliases: [String] = [], _ description: String, usage: String = "",
        flags: [GoFlag]? = nil, examples: [String] = [], subcommands: [CommandSpec] = [],
        positional: Bool = false, rawArgs: Bool = false, hidden: Bool = false, hasHandler: Bool = true,
        available: Bool = true
    ) {
        self.name = name
        self.aliases = aliases
        self.description = description
        self.usage = usage
        self.flags = flags
        self.examples = examples
        self.subcommands = subcommands
        self.hasPositionalArgs = positional
        self.rawArgs = rawArgs
        self.hidden = hidden
        self.hasHandler = hasHandler
        self.available = available
    }

    /// Whether `word` selects this node.
    package func matches(_ word: String) -> Bool { name == word || aliases.contains(word) }

    /// Whether the command accepts `--json`.
    package var definesJSON: Bool { flags?.contains { $0.name == "json" } ?? false }
}

/// A command line resolved against the tree.
package struct ResolvedCommand: Sendable {
    /// The command found.
    package let spec: CommandSpec
    /// Its canonical name: the names (never aliases) of the path, joined
    /// by a space (`share add-link`). Token scopes match on this.
    package let canonicalName: String
    /// The words after the command path.
    package let arguments: [String]
}
