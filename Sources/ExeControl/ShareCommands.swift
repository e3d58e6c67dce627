/// The `share` subcommands (reference §4.9): who can reach a VM's HTTPS proxy.
public struct ShareCommands: Sendable {
    let client: ControlClient

    /// `share show`.
    public func show(_ vm: String) async throws(ControlError) -> ShareSettings {
        try await client.decode(ShareSettings.self, .share(["show"], vm, readOnly: true))
    }

    /// `share port <vm>`: the current port and visibility.
    public func port(_ vm: String) async throws(ControlError) -> SharePortSettings {
        try await client.decode(SharePortSettings.self, .share(["port"], vm, readOnly: true))
    }

    /// `share port <vm> <port>` (3000–9999). Only one port can be public.
    @discardableResult
    public func setPort(_ vm: String, _ port: Int) async throws(ControlError) -> SharePortSettings {
        try await client.decode(SharePortSettings.self, .sharePort(vm, port))
    }

    /// `share set-public`.
    @discardableResult
    public func setPublic(_ vm: String) async throws(ControlError) -> SharePortSettings {
        try await client.decode(SharePortSettings.self, .share(["set-public"], vm))
    }

    /// `share set-private`.
    @discardableResult
    public func setPrivate(_ vm: String) async throws(ControlError) -> SharePortSettings {
        try await client.decode(SharePortSettings.self, .share(["set-private"], vm))
    }

    /// `share access allow|disallow` (teams).
    @discardableResult
    public func setTeamAccess(_ vm: String, allowed: Bool) async throws(ControlError) -> SharePortSettings {
        try await client.decode(SharePortSettings.self, .share(["access", allowed ? "allow" : "disallow"], vm))
    }

    /// `share add <vm> <email>`: invites a person.
    @discardableResult
    public func add(_ vm: String, email: String, message: String? = nil) async throws(ControlError) -> ShareChange {
        try await client.decode(ShareChange.self, .shareAdd(vm, email: email, message: message))
    }

    /// `share add <vm> team`.
    @discardableResult
    public func addTeam(_ vm: String) async throws(ControlError) -> ShareChange {
        try await client.decode(ShareChange.self, .share(["add"], vm, ["team"]))
    }

    /// `share remove <vm> <email>`.
    @discardableResult
    public func remove(_ vm: String, email: String) async throws(ControlError) -> ShareChange {
        try await client.decode(ShareChange.self, .share(["remove"], vm, [try ControlRequest.shareeEmail(email)]))
    }

    /// `share remove <vm> team`.
    @discardableResult
    public func removeTeam(_ vm: String) async throws(ControlError) -> ShareChange {
        try await client.decode(ShareChange.self, .share(["remove"], vm, ["team"]))
    }

    /// `share add-link`: a link anyone can use; ``ShareChange/url`` has it.
    public func addLink(_ vm: String) async throws(ControlError) -> ShareChange {
        try await client.decode(ShareChange.self, .share(["add-link"], vm))
    }

    /// `share remove-link <vm> <token>`.
    @discardableResult
    public func removeLink(_ vm: String, token: String) async throws(ControlError) -> ShareChange {
        try await client.decode(ShareChange.self, .share(["remove-link"], vm, [try ArgumentChecks.nonEmpty(token, "a link token")]))
    }

    /// `share receive-email <vm>`.
    public func receiveEmail(_ vm: String) async throws(ControlError) -> EmailReceiving {
        try await client.decode(EmailReceiving.self, .share(["receive-email"], vm, readOnly: true))
    }

    /// `share receive-email <vm> on|off`.
    @discardableResult
    public func setReceiveEmail(_ vm: String, enabled: Bool) async throws(ControlError) -> EmailReceiving {
        try await client.decode(EmailReceiving.self, .share(["receive-email"], vm, [enabled ? "on" : "off"]))
    }
}
