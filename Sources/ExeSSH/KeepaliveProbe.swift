internal import CLibSSH2

/// One keepalive: asks to open a channel of a type no server offers
/// (`keepalive@exe.dev`). The server answers `CHANNEL_OPEN_FAILURE`, and
/// libssh2 reads that answer inside the same call, so nothing is left
/// behind.
///
/// libssh2's own keepalive (`libssh2_keepalive_send`, a global request
/// with a reply) leaves each `REQUEST_FAILURE` queued in the session, where
/// the next `tcpip-forward` takes it for its own answer: a remote forward
/// asked for after the first keepalive was refused. The probe takes the
/// channel-open turn (``ReplyTurns``) like any open. Touches libssh2 only
/// inside ``advance(_:)``, on the loop thread.
final class KeepaliveProbe: LoopOperation, @unchecked Sendable {
    let usesChannel = false
    let deadline: Deadline? = nil
    private var stopped = false

    func advance(_ loop: SessionLoop) -> OperationProgress {
        guard let session = loop.session else { return .finished }
        let me = ObjectIdentifier(self)
        if stopped && !loop.turns.isHeld(.channelOpen, by: me) {
            loop.keepaliveProbeEnded()
            return .finished
        }
        guard loop.turns.take(.channelOpen, for: me) else { return .waitingForSocket }
        let channel = exe_channel_open_probe(session)
        let code = channel == nil ? libssh2_session_last_errno(session) : 0
        if channel == nil && code == LIBSSH2_ERROR_EAGAIN { return loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket }
        loop.turns.release(.channelOpen, from: me)
        loop.keepaliveProbeEnded()
        if let channel {
            // A server that knows the type: give the channel back.
            loop.retire(channel)
        } else if LibSSH2.isConnectionFatal(code) {
            _ = loop.error(code, "sending a keepalive")  // marks the connection dead
        }
        return .finished
    }

    func abandon(_ error: SSHError) { stopped = true }

    func connectionLost(_ error: SSHError) { stopped = true }
}
