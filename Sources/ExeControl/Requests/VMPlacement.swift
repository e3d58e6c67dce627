/// Where `new` puts a VM (exe.dev/docs/standalone-vms.md, cli-pool.md).
/// One value, so `--standalone` with `--pool`/`--no-pool` (which the server
/// refuses) cannot be asked for.
public enum VMPlacement: Sendable, Hashable {
    /// `--standalone`: its own reserved vCPU and memory, billed on its own,
    /// not taken from the plan's shared capacity (a "sandbox").
    case standalone
    /// `--pool=NAME`: in one of the team's pools.
    case pool(String)
    /// `--no-pool`: in the plan's shared capacity even when a pool would be
    /// the default.
    case noPool
}
