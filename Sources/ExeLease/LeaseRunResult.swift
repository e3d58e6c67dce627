public import ExeSSH

/// How a ``Leases/run(_:interrupt:output:)`` ended.
public struct LeaseRunResult: Sendable {
    /// The remote command's status; `nil` when nothing ran (sync only, or
    /// interrupted before the command started).
    public var status: RemoteExitStatus?
    /// The timing record (`--timing-json`), with the exit code.
    public var timing: LeaseRunTiming

    /// A result.
    public init(status: RemoteExitStatus?, timing: LeaseRunTiming) {
        self.status = status
        self.timing = timing
    }
}
