internal import CLibSSH2
import Foundation
import Synchronization

/// A remote port forward's listener, driven by the loop: asks the server to
/// listen (`tcpip-forward`, `libssh2_channel_forward_listen_ex`), reports
/// the port it bound, then hands every connection the server accepts there
/// (a `forwarded-tcpip` channel, `libssh2_channel_forward_accept`) to
/// ``accepted``, until it is abandoned or the connection ends.
///
/// The listener is not cancelled (`cancel-tcpip-forward`): libssh2 1.10's
/// `channel_forward_cancel` writes to the listener after freeing it. The
/// server stops listening when the connection closes, so an
/// ``SSHRemoteForward`` is meant to own its connection.
final class RemoteForwardOperation: LoopOperation, @unchecked Sendable {
    private enum Stage { case listening, accepting, done }

    let usesChannel = false
    /// The deadline of the listen request; none once listening.
    var deadline: Deadline? { stage == .listening ? listenDeadline : nil }

    private let host: ContiguousArray<CChar>
    private let hostText: String
    private let port: Int32
    private let listenDeadline: Deadline
    private let listened: @Sendable (Result<Int, SSHError>) -> Void
    private let accepted: @Sendable (AcceptedChannel) -> Void
    private let ended: @Sendable (SSHError?) -> Void
    private var stage = Stage.listening
    private var listener: OpaquePointer?
    private var reportedListen = false
    private var stopped = false

    /// - Parameters:
    ///   - host: the address the server listens on (`127.0.0.1`: the server's loopback only).
    ///   - port: the port (`0`: the server picks one).
    ///   - timeout: how long the listen request may take.
    ///   - listened: the bound port, or why the server refused (called once, on the loop thread).
    ///   - accepted: each accepted channel (on the loop thread).
    ///   - ended: the listener stopped: `nil` when asked to, else why.
    init(
        host: String, port: Int, timeout: Duration, listened: @escaping @Sendable (Result<Int, SSHError>) -> Void,
        accepted: @escaping @Sendable (AcceptedChannel) -> Void, ended: @escaping @Sendable (SSHError?) -> Void
    ) {
        self.host = ContiguousArray(host.utf8CString)
        self.hostText = host
        self.port = Int32(port)
        self.listenDeadline = .after(timeout)
        self.listened = listened
        self.accepted = accepted
        self.ended = ended
    }

    func abandon(_ error: SSHError) {
        guard !stopped else { return }
        stopped = true
        if !reportedListen {
            reportedListen = true
            listened(.failure(error))
        }
        ended(error.kind == .cancelled ? nil : error)
    }

    func connectionLost(_ error: SSHError) {
        abandon(error)
        stage = .done
        listener = nil
    }

    func advance(_ loop: SessionLoop) -> OperationProgress {
        guard let session = loop.session else { return .finished }
        let me = ObjectIdentifier(self)
        // A listen request that was sent is waited out, even when stopped:
        // its reply would otherwise be read as the next request's.
        if stopped && !loop.turns.isHeld(.globalRequest, by: me) { stage = .done }
        switch stage {
        case .listening:
            guard loop.turns.take(.globalRequest, for: me) else { return .waitingForSocket }
            var bound: Int32 = 0
            let attempt = host.withUnsafeBufferPointer { libssh2_channel_forward_listen_ex(session, $0.baseAddress, port, &bound, 16) }
            let code = attempt == nil ? libssh2_session_last_errno(session) : 0
            if attempt == nil && code == LIBSSH2_ERROR_EAGAIN { return loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket }
            loop.turns.release(.globalRequest, from: me)
            if stopped {
                // Nobody waits for it; a listener granted late stays with the session.
                stage = .done
                return .finished
            }
            guard let attempt else {
                let error =
                    code == LIBSSH2_ERROR_REQUEST_DENIED
                    ? SSHError(
                        .channelFailure,
                        "\(loop.destination.host) refused to listen on \(hostText):\(port) for a remote port forward (sshd's AllowTcpForwarding, or the port is taken)")
                    : loop.error(code, "asking \(loop.destination.host) to listen on \(hostText):\(port)")
                stopped = true
                reportedListen = true
                listened(.failure(error))
                stage = .done
                return .finished
            }
            listener = attempt
            reportedListen = true
            listened(.success(Int(bound)))
            stage = .accepting
            return .progressed
        case .accepting:
            guard let listener else { return .finished }
            if let channel = libssh2_channel_forward_accept(listener) {
                accepted(AcceptedChannel(pointer: channel))
                return .progressed
            }
            let code = libssh2_session_last_errno(session)
            if code == LIBSSH2_ERROR_EAGAIN { return loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket }
            // libssh2 reports any failure to read from the server here as
            // "channel unknown": the connection is gone.
            let error = SSHError(.disconnected, "the connection to \(loop.destination) ended while forwarding port \(port)")
            stopped = true
            ended(error)
            stage = .done
            return .finished
        case .done:
            return .finished
        }
    }
}

/// A `forwarded-tcpip` channel the listener accepted, handed from the loop
/// thread to the code that relays it (which gives it back to the loop in
/// an operation at once).
struct AcceptedChannel: @unchecked Sendable {
    let pointer: OpaquePointer
}
