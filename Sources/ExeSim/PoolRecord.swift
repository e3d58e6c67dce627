public import Foundation

/// A pool: reserved capacity for the team's VMs (`pool new`).
public struct PoolRecord: Codable, Sendable, Equatable {
    /// Its name.
    public var name: String
    /// The region code it is placed in.
    public var region: String
    /// Reserved vCPUs (even, 4 through 512); memory is 2 GiB per vCPU.
    public var cpus: Int
    /// The most VMs it may hold.
    public var maxVMs: Int
    /// When it was made.
    public var createdAt: Date

    /// Reserved memory in bytes (2 GiB per vCPU).
    public var memoryBytes: Int64 { Int64(cpus) * 2 * 1024 * 1024 * 1024 }
}

/// A custom domain of a VM (`domain add`).
public struct VMDomain: Codable, Sendable, Equatable {
    /// The domain, lower-cased (`app.example.com`, or `*.app.example.com`
    /// for every subdomain).
    public var domain: String
    /// Whether `--wildcard` asked for a `*.<parent>` certificate too.
    public var wildcard: Bool
    /// When it was added.
    public var addedAt: Date
}
