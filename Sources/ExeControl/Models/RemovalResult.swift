/// The result of `rm` for several VMs: which were deleted, which failed and
/// why (reference §4.3). `rm` succeeds as a command even when every VM fails,
/// so check ``isComplete``.
public struct RemovalResult: Sendable, Hashable, Codable {
    /// One VM that could not be deleted.
    public struct Failure: Sendable, Hashable, Codable {
        /// The VM's name.
        public var name: String
        /// The server's message (`VM "x" not found`, `VM "x" is locked: ...`).
        public var message: String
        /// The kind of failure (encoded by its name).
        public var kind: ControlError.Kind

        enum CodingKeys: String, CodingKey { case name = "vm_name", message = "error", kind }

        /// Creates a failure record.
        public init(name: String, message: String, kind: ControlError.Kind) {
            self.name = name
            self.message = message
            self.kind = kind
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            message = try container.decode(String.self, forKey: .message)
            kind = container.lenientString(.kind).flatMap(ControlError.Kind.init(named:)) ?? .commandFailed
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(message, forKey: .message)
            try container.encode(kind.description, forKey: .kind)
        }
    }

    /// The VMs deleted.
    public var deleted: [String]
    /// The VMs not deleted, in the server's order.
    public var failed: [String]
    /// Why each failed VM failed.
    public var failures: [Failure]

    enum CodingKeys: String, CodingKey { case deleted, failed, failures = "errors" }

    /// Creates a result.
    public init(deleted: [String], failed: [String], failures: [Failure]) {
        self.deleted = deleted
        self.failed = failed
        self.failures = failures
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.deleted) || container.contains(.failed) else {
            throw MissingKey(description: "an rm result without deleted or failed")
        }
        deleted = container.lenientStrings(.deleted)
        failed = container.lenientStrings(.failed)
        failures = container.lenientArray(Failure.self, .failures)
    }

    /// Whether every VM named was deleted.
    public var isComplete: Bool { failed.isEmpty }

    /// Pairs each failed VM with the error object that names it (`"name"`
    /// quoted in the message), in order; a VM no message names gets a
    /// generic one.
    mutating func attach(messages: [String]) {
        var remaining = messages
        failures = failed.map { name in
            let quoted = "\"\(name)\""
            let index = remaining.firstIndex { $0.contains(quoted) } ?? (remaining.isEmpty ? nil : remaining.startIndex)
            let message = index.map { remaining.remove(at: $0) } ?? "VM \(quoted) was not deleted"
            return Failure(name: name, message: message, kind: ServerMessageClassifier.kind(for: message) ?? .commandFailed)
        }
    }
}
