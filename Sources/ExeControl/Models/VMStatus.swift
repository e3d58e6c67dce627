/// A VM's state as the server reports it (reference §4.1). Open: values
/// this client does not know arrive as ``other(_:)``.
public enum VMStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Being made: the server is creating it.
    case creating
    /// Being made: waiting for a host.
    case pending
    /// Being made: its image is being prepared.
    case building
    /// Made, not yet started.
    case created
    /// Booting.
    case starting
    /// Running: SSH and its URL answer.
    case running
    /// Being changed (a resize).
    case updating
    /// Paused (`pause`): memory and processes kept, nothing answers.
    case paused
    /// Shutting down.
    case stopping
    /// Stopped.
    case stopped
    /// Failed to start or to be made.
    case failed
    /// Removed.
    case deleted
    /// The server does not know.
    case unknown
    /// A status this client does not know yet, as the server wrote it.
    case other(String)

    private static let known: [String: VMStatus] = [
        "creating": .creating, "pending": .pending, "building": .building, "created": .created,
        "starting": .starting, "running": .running, "updating": .updating, "paused": .paused,
        "stopping": .stopping, "stopped": .stopped, "failed": .failed, "deleted": .deleted, "unknown": .unknown,
    ]

    /// Reads the server's text (case-insensitive).
    public init(rawValue: String) {
        self = Self.known[rawValue.lowercased()] ?? .other(rawValue)
    }

    /// The server's text.
    public var rawValue: String {
        if case .other(let text) = self { return text }
        return Self.known.first { $0.value == self }!.key
    }

    /// Whether the VM is still being made (`creating`, `pending`, `building`),
    /// as the official iOS app groups them.
    public var isBeingCreated: Bool { self == .creating || self == .pending || self == .building }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
