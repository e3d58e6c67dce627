public import Foundation

/// A pool: reserved capacity for a team's VMs (`pool new`, `pool list`;
/// exe.dev/docs/cli-pool.md). The docs give no JSON shape: only the name is
/// required, every other key is optional.
public struct Pool: Sendable, Hashable, Codable {
    /// Its name.
    public var name: String
    /// Its region code.
    public var region: String?
    /// Reserved vCPUs.
    public var cpus: Int?
    /// Reserved memory in bytes (2 GiB per vCPU).
    public var memoryBytes: Int?
    /// The most VMs it may hold.
    public var maxVMs: Int?
    /// How many VMs it holds.
    public var vmCount: Int?
    /// The names of its VMs, when listed.
    public var vms: [String]
    /// When it was made.
    public var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case name, region, cpus, memoryBytes = "memory_bytes", maxVMs = "max_vms", vmCount = "vm_count", vms
        case createdAt = "created_at"
    }
    private enum AlternateKeys: String, CodingKey { case poolName = "pool_name", pool }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        guard let name = container.lenientString(.name) ?? alternate.lenientString(.poolName) ?? alternate.lenientString(.pool) else {
            throw MissingKey(description: "a pool without name")
        }
        self.name = name
        region = container.lenientString(.region)
        cpus = container.lenientInt(.cpus)
        memoryBytes = container.lenientInt(.memoryBytes)
        maxVMs = container.lenientInt(.maxVMs)
        vmCount = container.lenientInt(.vmCount)
        vms = container.lenientStrings(.vms)
        createdAt = container.lenientDate(.createdAt)
    }
}

/// `pool list`: `{"pools":[...]}` or a bare array.
struct PoolList: Decodable {
    let pools: [Pool]
    enum CodingKeys: String, CodingKey { case pools }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self) {
            pools = container.lenientArray(Pool.self, .pools)
            return
        }
        let single = try decoder.singleValueContainer()
        pools = single.decodeNil() ? [] : try single.decode([Lossy<Pool>].self).compactMap(\.value)
    }
}

/// A dedicated host of the team (`pool hosts`). The docs show no keys, so
/// the whole object is kept in ``fields`` and the likely ones are read.
public struct PoolHost: Sendable, Hashable, Codable {
    /// Its name or id, when reported.
    public var name: String?
    /// Its region, when reported.
    public var region: String?
    /// Every key the server sent.
    public var fields: JSONValue

    public init(from decoder: any Decoder) throws {
        fields = try JSONValue(from: decoder)
        name = fields["name"]?.stringValue ?? fields["host"]?.stringValue ?? fields["id"]?.stringValue
        region = fields["region"]?.stringValue
    }

    public func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}

/// `pool hosts`: `{"hosts":[...]}` or a bare array.
struct PoolHostList: Decodable {
    let hosts: [PoolHost]
    enum CodingKeys: String, CodingKey { case hosts }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self) {
            hosts = container.lenientArray(PoolHost.self, .hosts)
            return
        }
        let single = try decoder.singleValueContainer()
        hosts = single.decodeNil() ? [] : try single.decode([Lossy<PoolHost>].self).compactMap(\.value)
    }
}

/// The range of `pool list --usage --range=...`.
public enum PoolUsageRange: String, Sendable, CaseIterable, Codable {
    /// `live`: the current samples.
    case live
    /// `24h`.
    case day = "24h"
    /// `7d`.
    case week = "7d"
    /// `30d`.
    case month = "30d"
}

/// CPU and starvation statistics of a pool (`pool list --usage`). Shape
/// unpinned by the docs: samples keep every key in ``PoolUsageSample/fields``.
public struct PoolUsage: Sendable, Hashable, Codable {
    /// The pool.
    public var name: String
    /// The range asked for.
    public var range: String?
    /// Reserved vCPUs.
    public var cpus: Int?
    /// How many VMs it holds.
    public var vmCount: Int?
    /// The samples, oldest first.
    public var points: [PoolUsageSample]

    enum CodingKeys: String, CodingKey { case name, range, cpus, vmCount = "vm_count", points }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "pool usage without name") }
        self.name = name
        range = container.lenientString(.range)
        cpus = container.lenientInt(.cpus)
        vmCount = container.lenientInt(.vmCount)
        points = container.lenientArray(PoolUsageSample.self, .points)
    }
}

/// One usage sample.
public struct PoolUsageSample: Sendable, Hashable, Codable {
    /// When.
    public var timestamp: Date?
    /// vCPUs in use.
    public var cpuUsed: Double?
    /// Starvation (time VMs waited for a CPU), as reported.
    public var starvation: Double?
    /// Every key the server sent.
    public var fields: JSONValue

    public init(from decoder: any Decoder) throws {
        fields = try JSONValue(from: decoder)
        timestamp = fields["timestamp"]?.stringValue.flatMap(RFC3339.date(from:))
        if case .number(let value) = fields["cpu_used"] { cpuUsed = value }
        if case .number(let value) = fields["starvation"] { starvation = value }
    }

    public func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}

/// `pool list --usage`: `{"pools":[...]}` or a bare array.
struct PoolUsageList: Decodable {
    let pools: [PoolUsage]
    enum CodingKeys: String, CodingKey { case pools }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self) {
            pools = container.lenientArray(PoolUsage.self, .pools)
            return
        }
        let single = try decoder.singleValueContainer()
        pools = single.decodeNil() ? [] : try single.decode([Lossy<PoolUsage>].self).compactMap(\.value)
    }
}

/// The result of `pool adopt` and `pool detach`.
public struct PoolMembershipChange: Sendable, Hashable, Codable {
    /// The VM.
    public var vmName: String?
    /// The pool it joined or left.
    public var pool: String?
    /// Whether it is now a standalone VM (`pool detach`).
    public var standalone: Bool?
    /// `adopted` or `detached`, when reported.
    public var status: String?

    enum CodingKeys: String, CodingKey { case vmName = "vm_name", pool, standalone, status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vmName = container.lenientString(.vmName)
        pool = container.lenientString(.pool)
        standalone = container.lenientBool(.standalone)
        status = container.lenientString(.status)
    }
}
