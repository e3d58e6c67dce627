import ExeControl
import ExeDeploy
import ExeLease
import ExeSSH

/// The exit codes of `exe-cli` (documented in `Docs/exe-cli.md`).
///
/// `vm exec` and `vm ssh` exit with the remote command's own status when it
/// ran; these codes are for failures before or around it.
enum CLIExitCode: Int32, CaseIterable, Sendable {
    /// Success.
    case success = 0
    /// The command failed (the server refused it, the name is taken, an
    /// unreadable answer, ...). A partial `vm rm` exits with its first
    /// failure's code instead.
    case commandFailed = 1
    /// Bad usage: unknown option, invalid argument, unknown command.
    case usage = 2
    /// The VM, key, integration or share does not exist.
    case notFound = 3
    /// Authentication, permission or host key failure.
    case authentication = 4
    /// Network failure: cannot connect, connection lost, deadline passed.
    case transport = 5
    /// A lease's work tree could not be synced.
    case sync = 6
    /// A lease claim was refused: bound to another repository, or changed meanwhile.
    case claim = 7
    /// Another deploy of the app holds its deploy lock (or left a stale one).
    case lockHeld = 8
    /// The new release failed its health check; the previous one was kept
    /// or restored (see the report).
    case unhealthy = 9
    /// `deploy promote`/`discard` found no candidate release, or a deploy or
    /// rollback found one waiting (`deploy --no-promote`).
    case candidate = 10
    /// Interrupted by Ctrl-C (128 + SIGINT).
    case interrupted = 130

    /// The code for a control-plane error.
    init(_ kind: ControlError.Kind) {
        switch kind {
        case .invalidArgument, .unknownCommand: self = .usage
        case .notFound: self = .notFound
        case .authenticationFailed, .hostKeyRejected, .permissionDenied: self = .authentication
        case .transport, .timeout, .cancelled: self = .transport
        default: self = .commandFailed
        }
    }

    /// The code for an SSH failure (connecting to a VM).
    init(_ kind: SSHError.Kind) {
        switch kind {
        case .hostKeyMismatch, .hostKeyUnknown, .authenticationFailed, .keyFile: self = .authentication
        case .invalidConfiguration: self = .usage
        case .commandFailed, .sftp: self = .commandFailed
        default: self = .transport
        }
    }
}

extension CLIExitCode {
    /// Every code with its meaning, for help texts: "0 ok, 1 command failed, ...".
    static var summary: String {
        allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: ", ")
    }

    /// A few words on what the code means.
    var meaning: String {
        switch self {
        case .success: "ok"
        case .commandFailed: "command failed"
        case .usage: "usage"
        case .notFound: "not found"
        case .authentication: "authentication/host key"
        case .transport: "transport"
        case .sync: "lease sync failed"
        case .claim: "lease claim refused"
        case .lockHeld: "deploy lock held"
        case .unhealthy: "release unhealthy"
        case .candidate: "deploy candidate"
        case .interrupted: "interrupted (Ctrl-C)"
        }
    }

    /// The code for a lease failure.
    init(_ kind: LeaseError.Kind) {
        switch kind {
        case .notFound: self = .notFound
        case .claim: self = .claim
        case .notReady: self = .transport
        case .configuration: self = .usage
        case _ where kind.isSync: self = .sync
        default: self = .commandFailed
        }
    }
}

/// Ends `exe-cli` with a status after the message (if any) was printed.
struct CLIExit: Error, Sendable {
    /// The process exit status.
    var status: Int32

    init(_ code: CLIExitCode) { status = code.rawValue }
    init(status: Int32) { self.status = status }
}

extension CLIExitCode {
    /// The code for a deploy failure.
    init(_ kind: DeployError.Kind) {
        switch kind {
        case .lockHeld: self = .lockHeld
        case .unhealthy: self = .unhealthy
        case .noCandidate, .candidatePending: self = .candidate
        case .notFound: self = .notFound
        case .configuration: self = .usage
        case .cancelled: self = .interrupted
        default: self = .commandFailed
        }
    }
}
