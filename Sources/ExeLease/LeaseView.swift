public import Foundation

/// One VM of the tool, with what this machine knows about it
/// (``Leases/list(all:)``).
public struct LeaseView: Sendable, Codable, Equatable {
    /// The lease id from the VM's tags or the claim.
    public var leaseID: String?
    /// The lease's slug.
    public var slug: String?
    /// The VM's name.
    public var vmName: String
    /// The VM's status as the control plane reports it (`running`, ...),
    /// `unknown` when it reports none, or `gone` when only a claim is left.
    public var status: String
    /// When the lease expires (the claim's expiry, else the VM's tag).
    public var expiresAt: Date?
    /// Whether this machine holds a claim for it.
    public var claimed: Bool
    /// The repository the claim is bound to.
    public var repositoryRoot: String?
    /// Whether the VM still exists (a claim can outlive its VM).
    public var vmExists: Bool
    /// Whether the lease is kept (never collected automatically).
    public var keep: Bool

    /// A view.
    public init(
        leaseID: String?, slug: String?, vmName: String, status: String, expiresAt: Date?, claimed: Bool, repositoryRoot: String?,
        vmExists: Bool, keep: Bool
    ) {
        self.leaseID = leaseID
        self.slug = slug
        self.vmName = vmName
        self.status = status
        self.expiresAt = expiresAt
        self.claimed = claimed
        self.repositoryRoot = repositoryRoot
        self.vmExists = vmExists
        self.keep = keep
    }
}
