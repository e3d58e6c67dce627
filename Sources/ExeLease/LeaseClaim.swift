public import Foundation

/// The local record of a lease: which VM it is, where to reach it, which
/// repository it belongs to, and when it expires. Stored as JSON, mode 0600,
/// by ``LeaseClaimStore``.
public struct LeaseClaim: Sendable, Codable, Equatable {
    /// Where a lease is in its life.
    public enum State: String, Sendable, Codable {
        /// The VM is being created or is not yet reachable.
        case provisioning
        /// The VM answers over SSH with the tools a sync needs.
        case ready
    }

    /// The lease id and slug.
    public var identity: LeaseIdentity
    /// Where the lease is in its life.
    public var state: State
    /// The VM's name.
    public var vmName: String
    /// The control host the VM was created through (`exe.dev`, `127.0.0.1:2222`).
    public var controlHost: String
    /// Where to SSH to reach the VM.
    public var sshHost: String
    /// The SSH port of the VM.
    public var sshPort: Int
    /// The user SSH logs in as.
    public var sshUser: String
    /// The repository root the lease is bound to.
    public var repositoryRoot: String
    /// The work directory on the VM.
    public var remoteDirectory: String
    /// When the lease was made.
    public var createdAt: Date
    /// When a command last used it (idle expiry counts from here).
    public var lastUsedAt: Date
    /// Seconds of inactivity after which `lease gc` stops the lease.
    public var idleTimeoutSeconds: Int
    /// Seconds after creation after which `lease gc` stops the lease.
    public var ttlSeconds: Int
    /// Never collected automatically.
    public var keep: Bool
    /// Changes on every write; a writer that read an older revision is refused.
    public var revision: String

    /// When the lease may be collected: the earlier of idle and TTL expiry.
    public var expiresAt: Date {
        min(lastUsedAt.addingTimeInterval(TimeInterval(idleTimeoutSeconds)), createdAt.addingTimeInterval(TimeInterval(ttlSeconds)))
    }

    /// Creates a claim.
    public init(
        identity: LeaseIdentity, vmName: String, controlHost: String, sshHost: String, sshPort: Int, sshUser: String,
        repositoryRoot: String, remoteDirectory: String, createdAt: Date, idleTimeoutSeconds: Int, ttlSeconds: Int, keep: Bool
    ) {
        self.identity = identity
        self.state = .provisioning
        self.vmName = vmName
        self.controlHost = controlHost
        self.sshHost = sshHost
        self.sshPort = sshPort
        self.sshUser = sshUser
        self.repositoryRoot = repositoryRoot
        self.remoteDirectory = remoteDirectory
        self.createdAt = createdAt
        self.lastUsedAt = createdAt
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.ttlSeconds = ttlSeconds
        self.keep = keep
        self.revision = ""
    }
}
