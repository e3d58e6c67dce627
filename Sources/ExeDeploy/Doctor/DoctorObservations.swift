import ExeControl

/// What the doctor read on the VM over its one connection.
struct DoctorVMObservations: Sendable {
    /// Where the one SSH connection went (`user@host:port`), once it did.
    var connected: String?
    /// Why it could not be opened.
    var sshFailure: String?
    /// The deploy audit log's records.
    var records: [DeployAuditRecord] = []
    /// Pattern B: the compose file's size, or `nil` when missing.
    var composeSize: UInt64?
    /// Pattern B: the compose file's text.
    var composeText: String?
    /// The env file's mode, or `nil` when missing.
    var environmentMode: UInt32?
    /// The directory lock's holder.
    var lockHolder: DeployLockDetails?
    /// `docker ps -a`.
    var containers: [DoctorRules.ContainerRow]?
    /// The registry digests of the image the web container runs.
    var runningDigests: [String]?
    /// The last log lines of each container that is not up.
    var logTails: [String: [String]] = [:]
    /// The pull's failure, when it failed (`nil` when it worked or was not tried).
    var pullFailure: String?
    /// Whether the pull was tried.
    var pulled = false
    /// Steps that failed or ran out of time, by check id.
    var problems: [String: String] = [:]
    /// Set when a step ran out of time: later steps are skipped.
    var stoppedAnswering: String?
}
