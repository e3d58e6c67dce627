/// Whose turn it is to wait for each kind of reply on a session.
///
/// libssh2 waits for a reply with `_libssh2_packet_requirev`: when the
/// packet it reads off the socket has the reply's type but is meant for
/// someone else, the wait fails with -1 (`packet.c`, 1.10 and still
/// upstream), and a global request takes the first `REQUEST_SUCCESS` or
/// `REQUEST_FAILURE` in the queue, whoever asked. So at most one request
/// of each kind may be waiting for its reply at a time; the holder keeps
/// its turn until its reply has been read, even when it was abandoned.
/// Touched only on the loop thread.
struct ReplyTurns {
    enum Kind: Hashable {
        /// `CHANNEL_OPEN`, answered by `OPEN_CONFIRMATION` or `OPEN_FAILURE`.
        case channelOpen
        /// A channel request with a reply (`exec`, `shell`, `subsystem`,
        /// `pty-req`), answered by `CHANNEL_SUCCESS` or `CHANNEL_FAILURE`.
        case channelRequest
        /// A global request with a reply (`tcpip-forward`), answered by
        /// `REQUEST_SUCCESS` or `REQUEST_FAILURE`.
        case globalRequest
    }

    private var holders: [Kind: ObjectIdentifier] = [:]

    /// Takes the turn for `kind` when nobody else has it; `true` when
    /// `owner` has it now.
    mutating func take(_ kind: Kind, for owner: ObjectIdentifier) -> Bool {
        if let holder = holders[kind] { return holder == owner }
        holders[kind] = owner
        return true
    }

    /// Gives the turn back (only `owner`'s own).
    mutating func release(_ kind: Kind, from owner: ObjectIdentifier) {
        if holders[kind] == owner { holders[kind] = nil }
    }

    /// Whether `owner` holds the turn for `kind`.
    func isHeld(_ kind: Kind, by owner: ObjectIdentifier) -> Bool { holders[kind] == owner }

    /// Whether anyone holds the turn for `kind`.
    func isTaken(_ kind: Kind) -> Bool { holders[kind] != nil }
}
