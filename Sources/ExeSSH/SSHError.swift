/// The one error type of ExeSSH.
///
/// Match on ``kind`` (a growable set of stable values, like `NIOSSHError`)
/// and show ``message`` to users: it says what happened and, where there is
/// one, what to do about it.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// A stable category of failure. New kinds may be added; switch with a
    /// `default` case.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The server's address did not resolve.
        public static let nameResolution = Kind("nameResolution")
        /// Nothing listens on the port, or the host refused the connection.
        public static let connectionRefused = Kind("connectionRefused")
        /// A deadline passed: connect, handshake, authentication, or an operation.
        public static let timeout = Kind("timeout")
        /// The server presented a host key other than the one on record.
        public static let hostKeyMismatch = Kind("hostKeyMismatch")
        /// The server's host key is not on record and the policy is strict.
        public static let hostKeyUnknown = Kind("hostKeyUnknown")
        /// No identity was accepted by the server.
        public static let authenticationFailed = Kind("authenticationFailed")
        /// A private key file could not be read or decrypted.
        public static let keyFile = Kind("keyFile")
        /// The server refused to open a channel or to start a command.
        public static let channelFailure = Kind("channelFailure")
        /// The connection was lost.
        public static let disconnected = Kind("disconnected")
        /// An SFTP request failed; ``SSHError/sftpStatus`` has the server's code.
        public static let sftp = Kind("sftp")
        /// The remote command exited with a non-zero status and the caller
        /// asked for a check; ``SSHError/result`` carries its output.
        public static let commandFailed = Kind("commandFailed")
        /// The SSH protocol failed (key exchange, bad packets, ...).
        public static let `protocol` = Kind("protocol")
        /// The caller's configuration cannot work (bad port, unreadable file, ...).
        public static let invalidConfiguration = Kind("invalidConfiguration")
        /// The operation was cancelled by its caller.
        public static let cancelled = Kind("cancelled")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// A message a user can act on.
    public var message: String
    /// The libssh2 error code, when libssh2 reported one.
    public var libssh2Code: Int32?
    /// The SFTP status code, for ``Kind/sftp`` errors.
    public var sftpStatus: UInt?
    /// The command's output, for ``Kind/commandFailed`` errors.
    public var result: CommandResult?
    /// Set on ``Kind/disconnected`` errors of commands whose start request
    /// never reached libssh2: nothing ran on the server, so a pool may retry
    /// the command on a new connection.
    public internal(set) var commandNeverStarted = false

    /// Creates an error.
    public init(
        _ kind: Kind, _ message: String, libssh2Code: Int32? = nil, sftpStatus: UInt? = nil,
        result: CommandResult? = nil
    ) {
        self.kind = kind
        self.message = message
        self.libssh2Code = libssh2Code
        self.sftpStatus = sftpStatus
        self.result = result
    }

    public var description: String { message }
}
