internal import CLibSSH2

/// Opens one session channel ahead of need and hands it to the loop's
/// spare list (``SessionLoop/keepSpare(_:)``); it runs nothing on it.
/// Touches libssh2 only inside ``advance(_:)``, on the loop thread.
final class SpareChannelOpening: LoopOperation, @unchecked Sendable {
    let usesChannel = false
    let deadline: Deadline? = nil
    private var abandoned = false

    func advance(_ loop: SessionLoop) -> OperationProgress {
        guard let session = loop.session else { return .finished }
        let me = ObjectIdentifier(self)
        if abandoned && !loop.turns.isHeld(.channelOpen, by: me) {
            loop.spareOpeningEnded()
            return .finished
        }
        guard loop.turns.take(.channelOpen, for: me) else { return .waitingForSocket }
        guard let channel = exe_channel_open_session(session) else {
            let code = libssh2_session_last_errno(session)
            if code == LIBSSH2_ERROR_EAGAIN { return loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket }
            loop.turns.release(.channelOpen, from: me)
            // Refused (a session limit) or failed: stop keeping spares here.
            loop.spareOpeningEnded(disable: true)
            return .finished
        }
        loop.turns.release(.channelOpen, from: me)
        if abandoned {
            loop.retire(channel)
            loop.spareOpeningEnded()
        } else {
            loop.keepSpare(channel)
        }
        return .finished
    }

    func abandon(_ error: SSHError) { abandoned = true }

    func connectionLost(_ error: SSHError) { abandoned = true }
}

/// Frees a channel nobody uses any more (a spare the server closed, or one
/// opened after its opener gave up); `libssh2_channel_free` closes it first.
final class ChannelRetirement: LoopOperation, @unchecked Sendable {
    let usesChannel = false
    let deadline: Deadline? = nil
    private var channel: OpaquePointer?

    init(_ channel: OpaquePointer) { self.channel = channel }

    func advance(_ loop: SessionLoop) -> OperationProgress {
        guard let channel, loop.session != nil else { return .finished }
        let rc = libssh2_channel_free(channel)
        if rc == LIBSSH2_ERROR_EAGAIN { return loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket }
        self.channel = nil
        return .finished
    }

    func abandon(_ error: SSHError) {}

    // The session is freed with its channels.
    func connectionLost(_ error: SSHError) { channel = nil }
}
