internal import CLibSSH2
import Foundation

/// The connection's SFTP session: opened on first use by the SFTP
/// operation at the head of the queue, then shared by all of them, one
/// request at a time (libssh2 keeps per-request state in the SFTP handle).
final class SFTPSubsystem {
    private(set) var handle: OpaquePointer?
    /// A channel slot is kept for the subsystem while it is being started.
    private var reserved = false
    /// `libssh2_sftp_init` has been called and has not finished: it must be
    /// called again until it does.
    private var starting = false
    /// Refusals of the subsystem's channel since it last started.
    private var refusals = 0
    /// How often a refused channel is tried again: a session that just
    /// closed may not be freed on the server yet (OpenSSH `MaxSessions`).
    private static let refusalsToRetry = 5
    /// The operation allowed to issue SFTP calls now.
    var owner: ObjectIdentifier?

    /// Whether the SFTP channel occupies one of the connection's channel slots.
    var holdsChannel: Bool { handle != nil || reserved }

    enum Readiness {
        case ready(OpaquePointer)
        /// `libssh2_sftp_init` waits for the server.
        case waiting
        /// No libssh2 call was made: a channel slot or a turn is taken.
        case waitingForTurn
        case failed(SSHError)
    }

    /// Advances `libssh2_sftp_init` until the subsystem is up.
    func prepare(_ loop: SessionLoop) -> Readiness {
        if let handle { return .ready(handle) }
        guard let session = loop.session else { return .failed(SSHError(.disconnected, "the connection is closed")) }
        // The slot is kept from the first try, so no command takes it
        // while the subsystem waits for a free one or for its turns.
        reserved = true
        // `libssh2_sftp_init` opens a channel and then asks for the subsystem:
        // it waits for both kinds of reply, so it takes both turns (keeping
        // the open turn while the request turn is busy: a request's holder
        // never waits for an open).
        let me = ObjectIdentifier(self)
        if !starting {
            guard loop.channelsInUse < loop.channelLimit else { return .waitingForTurn }
            guard loop.turns.take(.channelOpen, for: me), loop.turns.take(.channelRequest, for: me) else { return .waitingForTurn }
        }
        starting = true
        let opened = libssh2_sftp_init(session)
        let code = opened == nil ? libssh2_session_last_errno(session) : 0
        if opened == nil && code == LIBSSH2_ERROR_EAGAIN { return .waiting }
        starting = false
        releaseTurns(loop)
        if let opened {
            reserved = false
            refusals = 0
            handle = opened
            return .ready(opened)
        }
        if code == LIBSSH2_ERROR_CHANNEL_FAILURE, refusals < Self.refusalsToRetry {
            // Refused: wait for one of the open channels to close (the
            // server's limit is lower than ours), or try again at once.
            refusals += 1
            loop.lowerChannelLimit(toOpen: loop.channelsInUse)
            return .waitingForTurn
        }
        reserved = false
        refusals = 0
        return .failed(loop.error(code, "starting the SFTP subsystem on \(loop.destination)", kind: .sftp))
    }

    /// Gives up a start that has made no libssh2 call yet (its operation
    /// was abandoned); `false` when `libssh2_sftp_init` is under way and
    /// must be driven to its end.
    func withdraw(_ loop: SessionLoop) -> Bool {
        guard !starting else { return false }
        reserved = false
        releaseTurns(loop)
        return true
    }

    /// Gives back both turns the start takes.
    private func releaseTurns(_ loop: SessionLoop) {
        let me = ObjectIdentifier(self)
        loop.turns.release(.channelOpen, from: me)
        loop.turns.release(.channelRequest, from: me)
    }

    /// Forgets the handle without libssh2 calls (the session is being freed).
    func forget() {
        handle = nil
        reserved = false
        starting = false
        owner = nil
    }
}
