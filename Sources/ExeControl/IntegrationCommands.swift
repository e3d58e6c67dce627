/// The `integrations` subcommands (reference §4.13).
public struct IntegrationCommands: Sendable {
    let client: ControlClient

    /// `integrations list`.
    public func list() async throws(ControlError) -> [Integration] {
        try await client.decode(IntegrationList.self, .listIntegrations).integrations
    }

    /// `integrations add <type> --name=...`.
    public func add(_ integration: NewIntegration) async throws(ControlError) {
        _ = try await client.execute(.addIntegration(integration))
    }

    /// `integrations attach <name> <spec>` (`vm:<name>`, `tag:<tag>`, `auto:all`).
    public func attach(_ name: String, to spec: String) async throws(ControlError) {
        _ = try await client.execute(.attachIntegration(name, spec))
    }

    /// `integrations detach <name> <spec>`.
    public func detach(_ name: String, from spec: String) async throws(ControlError) {
        _ = try await client.execute(.detachIntegration(name, spec))
    }

    /// `integrations remove <name>`.
    public func remove(_ name: String) async throws(ControlError) {
        _ = try await client.execute(.removeIntegration(name))
    }

    /// `integrations rename <name> <new>`.
    public func rename(_ name: String, to newName: String) async throws(ControlError) {
        _ = try await client.execute(.renameIntegration(name, to: newName))
    }
}
