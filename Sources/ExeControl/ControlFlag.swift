/// A `--name=value` flag of a control-plane command, or a boolean `--name`.
public struct ControlFlag: Sendable, Hashable {
    /// The flag's name without dashes (`name`, `copy-tags`, `a`).
    public var name: String
    /// The value; `nil` for a boolean flag that is set.
    public var value: ControlWord?

    /// A flag with a value, rendered `--name=value`.
    public init(_ name: String, _ value: ControlWord) {
        self.name = name
        self.value = value
    }

    /// A boolean flag that is set, rendered `--name`.
    public init(set name: String) {
        self.name = name
        value = nil
    }

    /// A boolean flag with an explicit value, rendered `--name=true|false`.
    public init(_ name: String, bool: Bool) {
        self.name = name
        value = ControlWord(bool ? "true" : "false")
    }

    /// The flag as one word: `--name` followed by `=value` when it has one.
    var word: ControlWord {
        guard let value else { return ControlWord("--" + name) }
        return ControlWord([.text("--" + name + "=")] + value.parts)
    }
}
