/// What a deploy run did: a deploy of a new release, a rollback to the
/// previous one, or the promotion or removal of a candidate release
/// (`--no-promote`).
public enum DeployAction: String, Sendable, Codable, CustomStringConvertible {
    /// A new release was deployed (`exe-cli deploy`), or made a candidate
    /// (`exe-cli deploy --no-promote`).
    case deploy
    /// The previous release was brought back (`exe-cli deploy rollback`).
    case rollback
    /// The candidate release was swapped in (`exe-cli deploy promote`).
    case promote
    /// The candidate release was removed (`exe-cli deploy discard`).
    case discard

    /// The word printed, encoded and written to the audit log: `deploy`, `rollback`, `promote`, `discard`.
    public var description: String { rawValue }
}
