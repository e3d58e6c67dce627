/// The one error type of ExeDeploy.
///
/// Match on ``kind`` (a growable set of stable values); show ``message``.
/// Messages never contain a secret: everything that reaches one passes
/// through ``SecretRedactor`` first. A deploy that got far enough to
/// report on itself attaches its ``report`` (timings so far, logs of the
/// failing VM or service, what was rolled back).
///
/// ```swift
/// do {
///     try await deployer.deploy(configuration)
/// } catch let error as DeployError where error.kind == .lockHeld {
///     print(error.message)   // who holds it, since when, and how to break it
/// }
/// ```
public struct DeployError: Error, Sendable, CustomStringConvertible {
    /// A stable category of failure. New kinds may be added; switch with a
    /// `default` case.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// `exe.deploy.yaml`, a flag or a variable is missing or invalid.
        public static let configuration = Kind("configuration")
        /// The image could not be built.
        public static let build = Kind("build")
        /// Logging in to the registry or pushing to it failed.
        public static let registry = Kind("registry")
        /// The control plane refused or failed a command.
        public static let control = Kind("control")
        /// A command or file transfer on the VM failed, or the VM was unreachable.
        public static let vm = Kind("vm")
        /// Another deploy holds the app's lock (or left a stale one).
        public static let lockHeld = Kind("lockHeld")
        /// The new release did not pass its health check; the previous one
        /// was kept or restored.
        public static let unhealthy = Kind("unhealthy")
        /// There is nothing to roll back to.
        public static let nothingToRollBack = Kind("nothingToRollBack")
        /// `promote` or `discard` found no candidate release (`--no-promote`).
        public static let noCandidate = Kind("noCandidate")
        /// A candidate release waits (`--no-promote`): a deploy or rollback
        /// is refused until it is promoted or discarded.
        public static let candidatePending = Kind("candidatePending")
        /// The app's VM does not exist.
        public static let notFound = Kind("notFound")
        /// The deploy was interrupted; what it had started was cleaned up.
        public static let cancelled = Kind("cancelled")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// What went wrong, in one or a few lines, without secrets.
    public var message: String
    /// What the deploy did before it failed, when it got that far.
    public var report: DeployReport?
    /// The lower-level error (a `ControlError`, `SSHError`, ...), if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, report: DeployReport? = nil, underlying: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.report = report
        self.underlying = underlying
    }

    public var description: String { message }
}
