/// Where a deploy keeps its files on a VM, all under `/data` (the VM's
/// persistent disk, as the seed uses it).
struct RemoteDeployPaths: Sendable {
    let app: String

    /// `/data/.exe-deploy/<app>`: the lock and the audit log.
    var stateDirectory: String { "/data/.exe-deploy/\(app)" }
    /// The lock directory (created with an atomic `mkdir`).
    var lockDirectory: String { stateDirectory + "/lock" }
    /// Who holds the lock.
    var lockDetails: String { lockDirectory + "/details.json" }
    /// One JSON object per line, oldest first.
    var auditLog: String { stateDirectory + "/audit.jsonl" }
    /// Pattern B's compose file.
    var composeFile: String { "/data/\(app).compose.yaml" }
    /// The compose file before the last deploy (rollback target).
    var previousComposeFile: String { composeFile + ".prev" }
    /// A compose file that failed its health check, kept for inspection.
    var failedComposeFile: String { composeFile + ".failed" }
    /// The candidate release's compose file (`deploy --no-promote`).
    var candidateComposeFile: String { composeFile + ".candidate" }
    /// The candidate release's record (``DeployCandidate`` as JSON).
    var candidateRecord: String { stateDirectory + "/candidate.json" }
    /// The production env file.
    static let environmentFile = "/data/.env.production"
    /// The env file before the last deploy or rollback (mode 0600).
    static let previousEnvironmentFile = environmentFile + ".prev"
}
