/// Why a sync or a remote run failed.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// A stable category.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The file list could not be made (git failed, unreadable files).
        public static let localFiles = Kind("localFiles")
        /// The sync exceeds the file-count or size guardrails.
        public static let tooLarge = Kind("tooLarge")
        /// The VM lacks a tool the sync needs (tar, find, stat, xargs).
        public static let missingTool = Kind("missingTool")
        /// The VM's sync state could not be read or applied.
        public static let remoteState = Kind("remoteState")
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
