/// Where a resolved setting's value came from: the provenance that
/// `exe-cli deploy config` and `exe-cli lease config` print next to every
/// value.
///
/// The resolvers (`DeployConfiguration.resolve`, `LeaseSettings.resolve`)
/// look at the layers in order (flags, environment variables, files,
/// derived values, defaults) and record which one gave each value.
public enum SettingSource: Sendable, Hashable {
    /// A command-line flag (or an override a program passed in its place).
    case flag
    /// An environment variable.
    case environment(variable: String)
    /// A settings file.
    case file(path: String)
    /// Worked out from another setting (a VM name from the app name, ...).
    case derived
    /// The built-in default.
    case defaults

    /// The word the config commands print for this source: `flag`,
    /// `environment`, `derived`, `default`; for a file, what `fileLabel`
    /// calls it (`config file`, `repo file`, `user file`).
    ///
    /// - Parameter fileLabel: names a settings file by its path.
    public func label(fileLabel: (String) -> String) -> String {
        switch self {
        case .flag: "flag"
        case .environment: "environment"
        case .file(let path): fileLabel(path)
        case .derived: "derived"
        case .defaults: "default"
        }
    }
}
