import ExeControl
import ExeSSH

/// Why a lease command or a work-tree sync failed: the one error type of
/// ExeLease. Failures of the layers below (a `ControlError` from the
/// control plane, an `SSHError` from a VM) arrive wrapped, with the
/// original in ``underlying``, as `DeployError` does.
///
/// ```swift
/// do {
///     _ = try await leases.warmup(WarmupRequest())
/// } catch let error as LeaseError where error.kind == .notReady {
///     print(error.message)
/// }
/// ```
public struct LeaseError: Error, Sendable, CustomStringConvertible {
    /// A stable category. New kinds may be added; switch with a `default` case.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// No such lease (claim or VM).
        public static let notFound = Kind("notFound")
        /// The claim is unreadable, held by another repository, or changed meanwhile.
        public static let claim = Kind("claim")
        /// The VM did not become reachable in time.
        public static let notReady = Kind("notReady")
        /// The configuration is invalid or asks for something unsafe.
        public static let configuration = Kind("configuration")
        /// The control plane failed (``LeaseError/underlying`` is the `ControlError`, when it was one).
        public static let control = Kind("control")
        /// The VM could not be reached, or a command or transfer on it
        /// failed (``LeaseError/underlying`` is the `SSHError`).
        public static let vm = Kind("vm")
        /// Sync: the local file list could not be made (git failed, unreadable files).
        public static let localFiles = Kind("localFiles")
        /// Sync: the tree exceeds the file-count or size guardrails.
        public static let tooLarge = Kind("tooLarge")
        /// Sync: the VM lacks a tool the sync needs (tar, xargs, stat, ...).
        public static let missingTool = Kind("missingTool")
        /// Sync: the VM's sync state could not be read or applied.
        public static let remoteState = Kind("remoteState")

        /// Whether the failure happened while syncing.
        public var isSync: Bool { [Kind.localFiles, .tooLarge, .missingTool, .remoteState].contains(self) }
        /// The kind's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// What went wrong, for a user.
    public var message: String
    /// The lower-level error (a `ControlError`, an `SSHError`), if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    /// The message.
    public var description: String { message }

    /// `error` as a ``LeaseError``: a `ControlError` becomes
    /// ``Kind/control``, an `SSHError` ``Kind/vm``, both with the same
    /// message and the original as ``underlying``. A lease error, a
    /// cancellation and anything else are returned as they are.
    public static func wrapping(_ error: any Error) -> any Error {
        switch error {
        case let control as ControlError: return LeaseError(.control, control.message, underlying: control)
        case let ssh as SSHError: return LeaseError(.vm, ssh.message, underlying: ssh)
        default: return error
        }
    }
}
