/// The server's description of its commands: `help --json` (reference §4.17).
public struct CommandIndex: Sendable, Hashable, Codable {
    /// One command of the index.
    public struct Entry: Sendable, Hashable, Codable {
        /// The command's name.
        public var name: String
        /// What it does.
        public var description: String
        /// Other names.
        public var aliases: [String]
        /// Its subcommands.
        public var subcommands: [CommandHelp.Subcommand]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            guard let name = container.lenientString(AnyCodingKey("name")) else { throw MissingKey(description: "help entry without name") }
            self.name = name
            description = container.lenientString(AnyCodingKey("description")) ?? ""
            aliases = container.lenientStrings(AnyCodingKey("aliases"))
            subcommands = container.lenientArray(CommandHelp.Subcommand.self, AnyCodingKey("subcommands"))
        }
    }

    /// The public commands.
    public var commands: [Entry]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        guard container.contains(AnyCodingKey("commands")) else { throw MissingKey(description: "help without commands") }
        commands = container.lenientArray(Entry.self, AnyCodingKey("commands"))
    }
}
