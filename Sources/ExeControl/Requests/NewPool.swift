/// What `pool new` needs (exe.dev/docs/cli-pool.md).
public struct NewPool: Sendable, Hashable {
    /// The pool's name.
    public var name: String
    /// Reserved vCPUs: even, 4 through 512 (memory is 2 GiB per vCPU).
    public var cpus: Int
    /// Region code; required unless the team has dedicated hosts.
    public var region: String?
    /// The most VMs it may hold (the server defaults to its size limit).
    public var maxVMs: Int?

    /// Creates a description of a pool.
    public init(name: String, cpus: Int, region: String? = nil, maxVMs: Int? = nil) {
        self.name = name
        self.cpus = cpus
        self.region = region
        self.maxVMs = maxVMs
    }
}
