import ExeSystem
internal import CLibSSH2
import Foundation

/// Process-wide libssh2 facts.
enum LibSSH2 {
    /// `libssh2_init` is not thread-safe and must run once before any session
    /// exists; a `static let` initializer runs exactly once.
    static let isInitialized: Bool = libssh2_init(0) == 0

    /// The library version, e.g. `1.10.0`.
    static var version: String { String(cString: libssh2_version(0)) }

    /// The session's last error code and message.
    static func lastError(_ session: OpaquePointer) -> (code: Int32, message: String) {
        var pointer: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &pointer, &length, 0)
        let message = pointer.map { String(cString: $0) } ?? ""
        return (code, message)
    }

    /// Error codes after which the session cannot be used any more.
    static func isConnectionFatal(_ code: Int32) -> Bool {
        switch code {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
            LIBSSH2_ERROR_INVALID_MAC, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_SOCKET_SEND,
            LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_DECRYPT,
            LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_SOCKET_TIMEOUT,
            LIBSSH2_ERROR_BAD_USE, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_ENCRYPT,
            LIBSSH2_ERROR_BAD_SOCKET, LIBSSH2_ERROR_ALLOC, LIBSSH2_ERROR_COMPRESS, LIBSSH2_ERROR_ZLIB:
            return true
        default:
            return false
        }
    }
}

/// A monotonic point in time with helpers for `poll(2)` timeouts.
struct Deadline: Comparable, Sendable {
    let instant: ContinuousClock.Instant

    static var now: Deadline { Deadline(instant: .now) }
    static func after(_ duration: Duration) -> Deadline { Deadline(instant: .now + duration) }

    var hasPassed: Bool { instant <= .now }

    /// Milliseconds until the deadline (at least 0), capped at `cap`.
    func pollTimeout(cap: Int32 = 1000) -> Int32 {
        (instant - .now).pollTimeout(cap: cap)
    }

    static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }
}

extension Duration {
    /// A short human form: `5s`, `250ms`.
    var shortDescription: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        let ms = inMilliseconds
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}
