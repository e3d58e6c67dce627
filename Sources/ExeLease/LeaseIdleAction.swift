/// What `lease gc` does to a lease idle past its timeout.
public enum LeaseIdleAction: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Pause the VM: its memory and processes are kept and it costs nothing
    /// while paused; it is stopped once paused longer than the paused TTL.
    case pause
    /// Stop the lease: remove its VM and claim.
    case stop

    /// `pause` or `stop`.
    public var description: String { rawValue }

    /// Parses `pause` or `stop`; anything else is a configuration error
    /// naming `setting`.
    public static func parse(_ text: String, setting: String) throws -> LeaseIdleAction {
        guard let action = LeaseIdleAction(rawValue: text.lowercased()) else {
            throw LeaseError(.configuration, "\(setting): \"\(text)\" is not an idle action (use pause or stop)")
        }
        return action
    }
}
