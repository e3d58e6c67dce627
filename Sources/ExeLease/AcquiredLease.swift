/// A lease ``Leases/acquire(_:)`` returned, and where it came from.
public struct AcquiredLease: Sendable {
    /// Where the lease came from.
    public enum Origin: String, Sendable, Codable, CustomStringConvertible {
        /// A new VM was made.
        case created
        /// An idle lease of this repository was taken (`--reuse`).
        case reused
        /// A paused lease of this repository was resumed and taken (`--reuse`).
        case resumed
        /// The lease with the requested fixed id already existed (`--lease-id` replayed).
        case existing

        /// The word printed and encoded.
        public var description: String { rawValue }
    }

    /// The lease's claim, renewed.
    public var claim: LeaseClaim
    /// Where it came from.
    public var origin: Origin

    /// A result.
    public init(claim: LeaseClaim, origin: Origin) {
        self.claim = claim
        self.origin = origin
    }
}
