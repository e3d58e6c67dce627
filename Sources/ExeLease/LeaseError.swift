/// Why a lease command failed.
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
