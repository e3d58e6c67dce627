/// What ``Leases/stop(_:anyRepository:)`` did for one lease.
public struct StopOutcome: Sendable, Codable, Equatable {
    /// What happened to the lease.
    public enum Result: String, Sendable, Codable, CustomStringConvertible {
        /// Its VM was removed, then its claim.
        case stopped
        /// Its VM did not exist any more; its claim (if any) was removed.
        case alreadyGone = "already-gone"

        /// The word printed and encoded: `stopped`, `already-gone`.
        public var description: String { rawValue }
    }

    /// The lease id (or the name it was asked by, when no lease matched).
    public var lease: String
    /// The lease's VM, when known.
    public var vmName: String?
    /// What happened.
    public var result: Result

    /// An outcome.
    public init(lease: String, vmName: String?, result: Result) {
        self.lease = lease
        self.vmName = vmName
        self.result = result
    }
}
