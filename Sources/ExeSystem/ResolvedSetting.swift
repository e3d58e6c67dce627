/// A setting's value and where it came from: what a settings resolver
/// works with before it makes a plain specification and its ``SettingRow``s.
///
/// ```swift
/// let port = ResolvedSetting(8080, .environment(variable: "EXE_DEPLOY_PORT"))
/// print(port.value, port.source)
/// ```
public struct ResolvedSetting<Value: Sendable>: Sendable {
    /// The value in effect.
    public var value: Value
    /// Where it came from.
    public var source: SettingSource

    /// Creates a setting.
    ///
    /// - Parameters:
    ///   - value: the value in effect.
    ///   - source: where it came from.
    public init(_ value: Value, _ source: SettingSource) {
        self.value = value
        self.source = source
    }
}

extension ResolvedSetting: Equatable where Value: Equatable {}
