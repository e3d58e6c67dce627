public import ExeSSH

/// How a ``Leases/run(_:interrupt:output:)`` ended.
public struct LeaseRunResult: Sendable {
    /// The remote command's status; `nil` when nothing ran (sync only, or
    /// interrupted before the command started).
    public var status: RemoteExitStatus?
    /// The timing record (`--timing-json`), with the exit code.
    public var timing: LeaseRunTiming
    /// The artifacts copied back (``LeaseRunRequest/artifacts``); `nil` when
    /// none were asked for or copying them failed (said on progress).
    public var artifacts: ArtifactReport?

    /// A result.
    public init(status: RemoteExitStatus?, timing: LeaseRunTiming) {
        self.status = status
        self.timing = timing
    }
}
