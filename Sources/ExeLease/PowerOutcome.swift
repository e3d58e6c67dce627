/// What ``Leases/pause(_:)`` or ``Leases/resume(_:)`` did.
public struct PowerOutcome: Sendable, Codable, Equatable {
    /// What happened.
    public enum Result: String, Sendable, Codable, CustomStringConvertible {
        /// The VM was paused.
        case paused
        /// The VM was paused already.
        case alreadyPaused = "already-paused"
        /// The VM was resumed.
        case resumed
        /// The VM was running already.
        case alreadyRunning = "already-running"

        /// The word printed and encoded.
        public var description: String { rawValue }
    }

    /// The lease id.
    public var lease: String
    /// The lease's VM.
    public var vmName: String
    /// What happened.
    public var result: Result

    /// An outcome.
    public init(lease: String, vmName: String, result: Result) {
        self.lease = lease
        self.vmName = vmName
        self.result = result
    }
}
