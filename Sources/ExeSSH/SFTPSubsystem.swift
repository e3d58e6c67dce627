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
        // `libssh2_sftp_init` opens a channel and then asks for the subsystem:
        // it waits for both kinds of reply, so it takes both turns.
        let me = ObjectIdentifier(self)
        guard loop.turns.take(.channelOpen, for: me) else { return .waiting }
        guard loop.turns.take(.channelRequest, for: me) else {
            if !initializing { loop.turns.release(.channelOpen, from: me) }
            return .waiting
        }
        initializing = true
        let opened = libssh2_sftp_init(session)
        let code = opened == nil ? libssh2_session_last_errno(session) : 0
        if opened == nil && code == LIBSSH2_ERROR_EAGAIN { return .waiting }
        initializing = false
        loop.turns.release(.channelOpen, from: me)
        loop.turns.release(.channelRequest, from: me)
        if let opened {
            handle = opened
            return .ready(opened)
        }
        return .failed(loop.error(code, "starting the SFTP subsystem on \(loop.destination)", kind: .sftp))
    }

    /// Forgets the handle without libssh2 calls (the session is being freed).
    func forget() {
        handle = nil
        initializing = false
        owner = nil
    }
}
