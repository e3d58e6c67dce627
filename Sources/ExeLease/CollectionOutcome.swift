public import Foundation

/// What ``Leases/collectExpired(dryRun:idleAction:pausedTTL:)`` did (or would do) for one lease.
public struct CollectionOutcome: Sendable, Codable, Equatable {
    /// What was done.
    public enum Action: String, Sendable, Codable, CustomStringConvertible {
        /// The expired lease's VM was removed, then its claim.
        case stopped
        /// A dry run: the VM would be removed.
        case wouldStop = "would-stop"
        /// A claim whose VM is gone was removed.
        case forgotten
        /// A dry run: the claim would be removed.
        case wouldForget = "would-forget"
        /// The idle lease's VM was paused (idle action `pause`).
        case paused
        /// A dry run: the VM would be paused.
        case wouldPause = "would-pause"

        /// The word printed and encoded: `stopped`, `would-stop`, `forgotten`,
        /// `would-forget`, `paused`, `would-pause`.
        public var description: String { rawValue }
    }

    /// The lease's VM.
    public var vmName: String
    /// The lease id, when the VM's tags or the claim name one.
    public var leaseID: String?
    /// When the lease expired.
    public var expiredAt: Date?
    /// What was done.
    public var action: Action

    /// An outcome.
    public init(vmName: String, leaseID: String?, expiredAt: Date?, action: Action) {
        self.vmName = vmName
        self.leaseID = leaseID
        self.expiredAt = expiredAt
        self.action = action
    }
}
