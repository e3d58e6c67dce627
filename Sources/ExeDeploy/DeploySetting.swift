/// Where a resolved deploy setting came from (`exe-cli deploy config`
/// prints it next to every value).
public enum DeploySettingSource: String, Sendable, Codable {
    /// A command-line flag.
    case flag
    /// An `EXE_DEPLOY_*` environment variable.
    case environment
    /// `exe.deploy.yaml`.
    case file = "config file"
    /// Worked out from another setting (the VM name from the app name, the
    /// registry user from a `ghcr.io/OWNER/...` repository, ...).
    case derived
    /// The built-in default.
    case defaults = "default"
}

/// A resolved value and its source.
public struct DeploySetting<Value: Sendable>: Sendable {
    /// The value in effect.
    public var value: Value
    /// Where it came from.
    public var source: DeploySettingSource

    /// Creates a setting.
    public init(_ value: Value, _ source: DeploySettingSource) {
        self.value = value
        self.source = source
    }
}
