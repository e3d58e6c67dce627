internal import CLibSSH2
import Foundation

/// The connection's SFTP session: opened on first use by the SFTP
/// operation at the head of the queue, then shared by all of them, one
/// request at a time (libssh2 keeps per-request state in the SFTP handle).
final class SFTPSubsystem {
    private(set) var handle: OpaquePointer?
    private var initializing = false
    /// The operation allowed to issue SFTP calls now.
    var owner: ObjectIdentifier?

    /// Whether the SFTP channel occupies one of the connection's channel slots.
    var holdsChannel: Bool { handle != nil || initializing }

    enum Readiness { case ready(OpaquePointer), waiting, failed(SSHError) }

    /// Advances `libssh2_sftp_init` until the subsystem is up.
    func prepare(_ loop: SessionLoop) -> Readiness {
        if let handle { return .ready(handle) }
        guard let session = loop.session else { return .failed(SSHError(.disconnected, "the connection is closed")) }
        initializing = true
        if let opened = libssh2_sftp_init(session) {
            handle = opened
            initializing = false
            return .ready(opened)
        }
        let code = libssh2_session_last_errno(session)
        if code == LIBSSH2_ERROR_EAGAIN { return .waiting }
        initializing = false
        return .failed(loop.error(code, "starting the SFTP subsystem on \(loop.destination)", kind: .sftp))
    }

    /// Forgets the handle without libssh2 calls (the session is being freed).
    func forget() {
        handle = nil
        initializing = false
        owner = nil
    }
}
