/// What `exe-cli deploy status` shows: what is live, where, since when and
/// from whom, whether it answers, and whether a deploy holds the lock.
public struct DeployStatus: Sendable, Codable {
    /// The app.
    public var app: String
    /// `replace` or `compose`.
    public var pattern: DeployPattern
    /// The VM.
    public var vm: String
    /// The VM's state (`running`, ...).
    public var vmStatus: String?
    /// Its URL.
    public var url: String?
    /// The live image (from the audit log, the compose file, or `ls`).
    public var image: String?
    /// Its digest, when the audit log has it.
    public var digest: String?
    /// The last audit record.
    public var lastDeploy: DeployAuditRecord?
    /// `healthy (HTTP 200)`, or why not.
    public var health: String
    /// Whether the health probe passed.
    public var healthy: Bool
    /// Who holds the deploy lock, if anyone.
    public var lock: String?
    /// The candidate release waiting for `deploy promote` or `discard`, if any.
    public var candidate: DeployCandidate?
    /// `docker compose ps` (Pattern B).
    public var containers: String?
    /// Problems met while gathering this (an unreachable VM, ...).
    public var problems: [String]
}
