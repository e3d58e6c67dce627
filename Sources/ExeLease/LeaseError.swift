/// Why a lease command or a work-tree sync failed: the one error type of ExeLease.
public struct LeaseError: Error, Sendable, CustomStringConvertible {
    /// A stable category.
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
        /// The control plane failed.
        public static let control = Kind("control")
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
        public var description: String { name }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
