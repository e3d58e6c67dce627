public import Foundation

/// Why a connection, a TLS handshake or an HTTP exchange failed.
///
/// Messages name the host and port and what went wrong; they never carry
/// request headers or bodies (which may hold tokens).
public struct NetworkError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it was.
    public enum Kind: Sendable, Equatable {
        /// The host name did not resolve, or no address accepted the connection.
        case connectFailed
        /// A deadline passed (connecting, the handshake, a read or a write).
        case timedOut
        /// The server's certificate chain is not trusted, or does not name the host.
        case certificateRejected
        /// The TLS handshake or a TLS record failed for another reason.
        case tlsFailed
        /// The peer closed or reset the connection before the exchange was complete.
        case connectionClosed
        /// The answer is not well-formed HTTP/1.1.
        case malformedResponse
        /// A header block, a line or a body passed its size limit.
        case tooLarge
        /// The request itself cannot be sent (a bad URL, a field with a line break).
        case invalidRequest
        /// The task waiting for the exchange was cancelled.
        case cancelled
    }

    /// What kind of failure it was.
    public let kind: Kind
    /// A sentence for people.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension NetworkError: LocalizedError {
    /// The ``message``, for `localizedDescription`.
    public var errorDescription: String? { message }
}
