/// A resolved specification and its provenance: what a settings resolver
/// (`DeployConfiguration.resolve`, `LeaseSettings.resolve`) returns.
///
/// ``value`` is a plain value, the same a program could build with the
/// specification's initializer; ``rows`` say where each setting came from
/// (what the config commands print) and ``files`` which settings files
/// were read.
///
/// ```swift
/// let resolution = try LeaseSettings.resolve(overrides: .init(), repositoryRoot: root, environment: environment)
/// for row in resolution.rows { print(row.name, row.value, row.sourceText) }
/// let settings = resolution.value
/// ```
public struct SettingsResolution<Value: Sendable>: Sendable {
    /// The resolved specification.
    public var value: Value
    /// Every setting with its value and source, in display order.
    public var rows: [SettingRow]
    /// The settings files that were read.
    public var files: [String]

    /// Creates a resolution.
    ///
    /// - Parameters:
    ///   - value: the resolved specification.
    ///   - rows: every setting with its value and source.
    ///   - files: the settings files that were read.
    public init(value: Value, rows: [SettingRow], files: [String]) {
        self.value = value
        self.rows = rows
        self.files = files
    }

    /// Where the setting called `name` (as ``SettingRow/name`` spells it)
    /// came from; `nil` when no row has that name.
    public func source(of name: String) -> SettingSource? {
        rows.first { $0.name == name }?.source
    }
}
