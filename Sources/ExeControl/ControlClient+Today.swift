/// Commands exe.dev added after May 2026.
extension ControlClient {
    /// `pause`: freezes a VM, keeping its memory and processes. While paused
    /// its SSH and HTTPS proxy do not answer.
    @discardableResult
    public func pause(_ name: String) async throws(ControlError) -> PowerStateResult {
        var result = try await decode(PowerStateResult.self, .powerState("pause", name))
        if result.name.isEmpty { result.name = name }
        if result.status == .unknown { result.status = .paused }
        return result
    }

    /// `resume`: lets a paused VM run again, with its processes.
    @discardableResult
    public func resume(_ name: String) async throws(ControlError) -> PowerStateResult {
        var result = try await decode(PowerStateResult.self, .powerState("resume", name))
        if result.name.isEmpty { result.name = name }
        if result.status == .unknown { result.status = .running }
        return result
    }

    /// `domain ...`.
    public var domains: DomainCommands { DomainCommands(client: self) }
    /// `pool ...`.
    public var pools: PoolCommands { PoolCommands(client: self) }
    /// `invite ...`.
    public var invites: InviteCommands { InviteCommands(client: self) }
}

extension IntegrationCommands {
    /// `integrations edit <name> ...`.
    public func edit(_ name: String, _ edit: IntegrationEdit) async throws(ControlError) {
        _ = try await client.execute(.editIntegration(name, edit))
    }
}
