/// The `pool` subcommands (exe.dev/docs/cli-pool.md): a team's reserved
/// capacity slices.
public struct PoolCommands: Sendable {
    let client: ControlClient

    /// `pool new`.
    @discardableResult
    public func create(_ pool: NewPool) async throws(ControlError) -> Pool {
        try await client.decode(Pool.self, .createPool(pool))
    }

    /// `pool hosts`: the team's dedicated hosts.
    public func hosts() async throws(ControlError) -> [PoolHost] {
        try await client.decode(PoolHostList.self, .poolHosts).hosts
    }

    /// `pool list [name]`.
    public func list(_ name: String? = nil) async throws(ControlError) -> [Pool] {
        try await client.decode(PoolList.self, .listPools(name, usage: nil)).pools
    }

    /// `pool list [name] --usage --range=...`.
    public func usage(_ name: String? = nil, range: PoolUsageRange = .live) async throws(ControlError) -> [PoolUsage] {
        try await client.decode(PoolUsageList.self, .listPools(name, usage: range)).pools
    }

    /// `pool adopt --vm= --pool=` (the server says it can take several minutes).
    @discardableResult
    public func adopt(_ vm: String, into pool: String) async throws(ControlError) -> PoolMembershipChange {
        try await client.decode(PoolMembershipChange.self, .adoptIntoPool(vm, pool))
    }

    /// `pool detach --vm=`: the VM leaves its pool and becomes a standalone VM.
    @discardableResult
    public func detach(_ vm: String) async throws(ControlError) -> PoolMembershipChange {
        try await client.decode(PoolMembershipChange.self, .detachFromPool(vm))
    }
}
