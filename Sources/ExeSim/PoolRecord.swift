package import Foundation

/// A pool: reserved capacity for the team's VMs (`pool new`).
package struct PoolRecord: Codable, Sendable, Equatable {
    /// Its name.
    package var name: String
    /// The region code it is placed in.
    package var region: String
    /// Reserved vCPUs (even, 4 through 512); memory is 2 GiB per vCPU.
    package var cpus: Int
    /// The most VMs it may hold.
    package var maxVMs: Int
    /// When it was made.
    package var createdAt: Date

    /// Reserved memory in bytes (2 GiB per vCPU).
    package var memoryBytes: Int64 { Int64(cpus) * 2 * 1024 * 1024 * 1024 }
}

/// A custom domain of a VM (`domain add`).
package struct VMDomain: Codable, Sendable, Equatable {
    /// The domain, lower-cased (`app.example.com`, or `*.app.example.com`
    /// for every subdomain).
    package var domain: String
    /// Whether `--wildcard` asked for a `*.<parent>` certificate too.
    package var wildcard: Bool
    /// When it was added.
    package var addedAt: Date
}
