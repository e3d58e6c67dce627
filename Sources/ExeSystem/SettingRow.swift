/// One line of `exe-cli deploy config` or `exe-cli lease config`: a
/// setting's name, its value as text and where it came from.
///
/// Encoded (`--json`) as `{"name": ..., "value": ..., "source": ...}` with
/// ``sourceText`` as the source.
public struct SettingRow: Sendable, Equatable, Encodable {
    /// The setting's name as its file spells it (`health.path`, `idleTimeout`).
    public var name: String
    /// Its value as text; secrets are `[REDACTED]`.
    public var value: String
    /// Where it came from.
    public var source: SettingSource
    /// The words printed for ``source`` (`config file`, `environment`, ...).
    public var sourceText: String

    /// Creates a row.
    ///
    /// - Parameters:
    ///   - name: the setting's name.
    ///   - value: its value as text.
    ///   - source: where it came from.
    ///   - sourceText: the words printed for `source`.
    public init(name: String, value: String, source: SettingSource, sourceText: String) {
        self.name = name
        self.value = value
        self.source = source
        self.sourceText = sourceText
    }

    private enum CodingKeys: String, CodingKey {
        case name, value, source
    }

    /// Encodes `name`, `value` and ``sourceText`` as `source`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(sourceText, forKey: .source)
    }
}
