/// What a deploy run did: a deploy of a new release, or a rollback to the
/// previous one.
public enum DeployAction: String, Sendable, Codable, CustomStringConvertible {
    /// A new release was deployed (`exe-cli deploy`).
    case deploy
    /// The previous release was brought back (`exe-cli deploy rollback`).
    case rollback

    /// The word printed, encoded and written to the audit log: `deploy`, `rollback`.
    public var description: String { rawValue }
}
