/// The one error type of ExeControl.
///
/// Match on ``kind`` (a growable set of stable values, like `NIOSSHError`);
/// show ``message`` to users: it is the server's own text where there is one.
/// ``command`` is the command line that failed, with every secret replaced by
/// `[REDACTED]`, so the error can be logged as it is.
///
/// ```swift
/// do {
///     try await client.restart("my-vm")
/// } catch let error as ControlError where error.kind == .notFound {
///     print("no such VM:", error.message)
/// }
/// ```
public struct ControlError: Error, Sendable, CustomStringConvertible {
    /// A stable category of failure. New kinds may be added; switch with a
    /// `default` case.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The VM, key, integration, share or link does not exist (or is not
        /// yours).
        public static let notFound = Kind("notFound")
        /// The VM name is taken, reserved, or held for its previous owner.
        public static let nameNotAvailable = Kind("nameNotAvailable")
        /// An argument was rejected: bad name, tag, comment, size, flag.
        public static let invalidArgument = Kind("invalidArgument")
        /// The command path does not exist on the server.
        public static let unknownCommand = Kind("unknownCommand")
        /// The VM or object is in a state that forbids the operation (locked,
        /// not running, already attached, already exists).
        public static let conflict = Kind("conflict")
        /// The key or token may not run this command, or has expired.
        public static let permissionDenied = Kind("permissionDenied")
        /// The key is not registered, the token is invalid or missing, or SSH
        /// authentication failed.
        public static let authenticationFailed = Kind("authenticationFailed")
        /// The server's host key is unknown (strict policy) or changed.
        public static let hostKeyRejected = Kind("hostKeyRejected")
        /// The account has no active plan.
        public static let noActivePlan = Kind("noActivePlan")
        /// The plan's limit (VM count, memory, disk, feature) forbids it.
        public static let planLimit = Kind("planLimit")
        /// Too many requests; see ``ControlError/retryAfter``.
        public static let rateLimited = Kind("rateLimited")
        /// A deadline passed: the connection, the command, or the server's own
        /// 30-second `/exec` limit.
        public static let timeout = Kind("timeout")
        /// The request body is over the 64 KiB `/exec` limit.
        public static let requestTooLarge = Kind("requestTooLarge")
        /// The server failed internally or is temporarily unreachable.
        public static let serverError = Kind("serverError")
        /// The connection could not be made or was lost.
        public static let transport = Kind("transport")
        /// The caller cancelled the operation.
        public static let cancelled = Kind("cancelled")
        /// The server answered with something this client cannot read;
        /// ``ControlError/rawOutput`` has it.
        public static let unexpectedResponse = Kind("unexpectedResponse")
        /// The server rejected the command with a message this client does not
        /// classify further.
        public static let commandFailed = Kind("commandFailed")

        public var description: String { name }

        /// Every kind this version knows.
        public static let allKnown: [Kind] = [
            .notFound, .nameNotAvailable, .invalidArgument, .unknownCommand, .conflict, .permissionDenied,
            .authenticationFailed, .hostKeyRejected, .noActivePlan, .planLimit, .rateLimited, .timeout,
            .requestTooLarge, .serverError, .transport, .cancelled, .unexpectedResponse, .commandFailed,
        ]

        /// The kind whose ``description`` is `name`, if this version knows it.
        public init?(named name: String) {
            guard let kind = Self.allKnown.first(where: { $0.name == name }) else { return nil }
            self = kind
        }
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// What went wrong: the server's message when it sent one, secrets redacted.
    public var message: String
    /// The command line that failed, secrets redacted; empty when the failure
    /// happened before a command was built.
    public var command: String
    /// The command's exit status (SSH), when it ran.
    public var exitStatus: Int32?
    /// The HTTP status (HTTPS), when there was a response.
    public var httpStatus: Int?
    /// How long the server asked to wait before retrying (HTTP 429).
    public var retryAfter: Duration?
    /// The raw output the client could not interpret, secrets redacted
    /// (``Kind/unexpectedResponse``).
    public var rawOutput: String?
    /// The lower-level error (for example an `SSHError`), if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(
        _ kind: Kind, _ message: String, command: String = "", exitStatus: Int32? = nil, httpStatus: Int? = nil,
        retryAfter: Duration? = nil, rawOutput: String? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        self.kind = kind
        self.message = message
        self.command = command
        self.exitStatus = exitStatus
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.rawOutput = rawOutput
        self.underlying = underlying
    }

    /// The message, followed by the command it came from.
    public var description: String {
        command.isEmpty ? message : "\(message) (command: \(command))"
    }
}
