/// How a remote command ended.
public enum RemoteExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The command exited with this status.
    case exited(Int32)
    /// A signal (named without `SIG`, e.g. `TERM`) ended the command.
    case signaled(String, coreDumped: Bool)
    /// The server closed the channel without reporting a status.
    ///
    /// ExeSSH does not produce this value on libssh2 1.10: that version
    /// cannot tell a close without an `exit-status` message from exit status
    /// 0 (`libssh2_channel_get_exit_status` returns 0 for both, libssh2
    /// issue #2515), so such a close reads as `.exited(0)`. OpenSSH closes
    /// channels without a status when its `ChannelTimeout` fires, and other
    /// servers may do so on errors. Where the difference matters, have the
    /// remote command report its own status (for example print a marker
    /// with `$?` as its last output) or check the output itself. The case is
    /// kept for a libssh2 that can report it, and for callers that need a
    /// value before any status has arrived.
    case closedWithoutStatus

    /// The status a shell would show: the exit code, 128 + signal number, or
    /// 255 when there was no status (what OpenSSH's `ssh` exits with).
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let name, _): return 128 + (Self.signalNumbers[name] ?? 0)
        case .closedWithoutStatus: return 255
        }
    }

    /// `true` only for `.exited(0)`.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let name, let core): return "killed by signal \(name)" + (core ? " (core dumped)" : "")
        case .closedWithoutStatus: return "closed without an exit status"
        }
    }

    private static let signalNumbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "ABRT": 6, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    ]
}
