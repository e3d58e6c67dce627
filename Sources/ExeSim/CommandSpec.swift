/// One node of the command tree: a command or a subcommand, its flags and
/// its help text, as the real server's `exemenu.Command` describes it.
public struct CommandSpec: Sendable {
    /// The word that selects it.
    public let name: String
    /// Other words that select it (`int` for `integrations`).
    public let aliases: [String]
    /// One line for help.
    public let description: String
    /// The usage line.
    public let usage: String
    /// Its flags; `nil` when the command defines no flag set at all
    /// (then even `--json` is an unknown flag).
    public let flags: [GoFlag]?
    /// Examples for help.
    public let examples: [String]
    /// Its subcommands.
    public let subcommands: [CommandSpec]
    /// Whether it takes positional arguments.
    public let hasPositionalArgs: Bool
    /// Whether words go to the handler unparsed (`help`).
    public let rawArgs: Bool
    /// Hidden from help.
    public let hidden: Bool
    /// Whether it can run at all (parent commands with only subcommands
    /// still have a handler that prints their help).
    public let hasHandler: Bool

    /// Creates a node.
    public init(
        _ name: String, aliases: [String] = [], _ description: String, usage: String = "",
        flags: [GoFlag]? = nil, examples: [String] = [], subcommands: [CommandSpec] = [],
        positional: Bool = false, rawArgs: Bool = false, hidden: Bool = false, hasHandler: Bool = true
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
    }

    /// Whether `word` selects this node.
    public func matches(_ word: String) -> Bool { name == word || aliases.contains(word) }

    /// Whether the command accepts `--json`.
    public var definesJSON: Bool { flags?.contains { $0.name == "json" } ?? false }
}

/// A command line resolved against the tree.
public struct ResolvedCommand: Sendable {
    /// The command found.
    public let spec: CommandSpec
    /// Its canonical name: the names (never aliases) of the path, joined
    /// by a space (`share add-link`). Token scopes match on this.
    public let canonicalName: String
    /// The words after the command path.
    public let arguments: [String]
}
