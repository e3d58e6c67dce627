/// The server's help for one command: `help <cmd> --json` (reference §4.17).
public struct CommandHelp: Sendable, Hashable, Codable {
    /// A flag the command takes.
    public struct Flag: Sendable, Hashable, Codable {
        /// The flag's name.
        public var name: String
        /// What it does.
        public var description: String?
    }

    /// A subcommand.
    public struct Subcommand: Sendable, Hashable, Codable {
        /// Its name.
        public var name: String
        /// What it does.
        public var description: String?
    }

    /// The command.
    public var command: String
    /// What it does.
    public var description: String?
    /// Other names.
    public var aliases: [String]
    /// The usage line.
    public var usage: String?
    /// Its flags (hidden ones excluded).
    public var flags: [Flag]
    /// Examples.
    public var examples: [String]
    /// Its subcommands.
    public var subcommands: [Subcommand]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        guard let command = container.lenientString(AnyCodingKey("command")) else { throw MissingKey(description: "help without command") }
        self.command = command
        description = container.lenientString(AnyCodingKey("description"))
        aliases = container.lenientStrings(AnyCodingKey("aliases"))
        usage = container.lenientString(AnyCodingKey("usage"))
        flags = container.lenientArray(Flag.self, AnyCodingKey("flags"))
        examples = container.lenientStrings(AnyCodingKey("examples"))
        subcommands = container.lenientArray(Subcommand.self, AnyCodingKey("subcommands"))
    }
}
