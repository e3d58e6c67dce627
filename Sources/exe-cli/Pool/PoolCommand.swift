import ArgumentParser
import ExeControl

/// `exe-cli pool ...`: the team's pools (reserved capacity slices).
struct PoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Create pools, list them and their usage, and move VMs in and out.",
        subcommands: [PoolNewCommand.self, PoolHostsCommand.self, PoolListCommand.self, PoolAdoptCommand.self, PoolDetachCommand.self])
}

/// `{"pools":[...]}` for `--json`.
struct PoolListing<Element: Encodable>: Encodable {
    let pools: [Element]
}

/// `{"hosts":[...]}` for `--json`.
struct PoolHostListing: Encodable {
    let hosts: [PoolHost]
}

/// `--range` of `pool ls --usage`.
enum PoolUsageRangeArgument: String, ExpressibleByArgument, CaseIterable {
    case live, day = "24h", week = "7d", month = "30d"

    var range: PoolUsageRange { PoolUsageRange(rawValue: rawValue) ?? .live }
}

struct PoolNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "Create a pool of reserved CPUs (2 GiB memory per vCPU).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The pool's name.") var name: String
    @Option(help: "Reserved vCPUs: an even number from 4 through 512.") var cpus: Int
    @Option(help: "Region code (required unless your team has dedicated hosts).") var region: String?
    @Option(name: .customLong("max-vms"), help: "The most VMs the pool may hold.") var maxVMs: Int?

    func validate() throws {
        if cpus < 4 || cpus > 512 || cpus % 2 != 0 {
            throw ValidationError("--cpus must be an even number of vCPUs from 4 through 512 (4, 6, 8, and so on)")
        }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let pool = try await session.client.pools.create(NewPool(name: name, cpus: cpus, region: region, maxVMs: maxVMs))
            try session.output.result(pool) {
                "Created pool \(pool.name): \(pool.cpus.map(String.init) ?? "?") CPUs in \(pool.region ?? "?"), up to \(pool.maxVMs.map(String.init) ?? "?") VMs."
            }
        }
    }
}

struct PoolHostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts", abstract: "Show the team's dedicated hosts.")
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let hosts = try await session.client.pools.hosts()
            try session.output.result(PoolHostListing(hosts: hosts)) {
                hosts.isEmpty
                    ? "No dedicated hosts."
                    : session.output.table(["HOST", "REGION"], hosts.map { [DisplayFormat.text($0.name), DisplayFormat.text($0.region)] })
            }
        }
    }
}

struct PoolListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List pools, or their CPU and starvation statistics with --usage.", aliases: ["list"])
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Show CPU and starvation statistics.") var usage = false
    @Option(help: "Statistics range: live, 24h, 7d or 30d (with --usage).") var range: PoolUsageRangeArgument?
    @Argument(help: "One pool (all when omitted).") var name: String?

    func validate() throws {
        if range != nil, !usage { throw ValidationError("--range requires --usage") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            if usage {
                let pools = try await session.client.pools.usage(name, range: range?.range ?? .live)
                try session.output.result(PoolListing(pools: pools)) {
                    pools.isEmpty
                        ? "No pools."
                        : session.output.table(
                            ["POOL", "RANGE", "CPUS", "VMS", "SAMPLES", "PEAK CPU", "PEAK STARVATION"],
                            pools.map { pool in
                                [
                                    pool.name, DisplayFormat.text(pool.range), pool.cpus.map(String.init) ?? "-", pool.vmCount.map(String.init) ?? "-",
                                    String(pool.points.count), DisplayFormat.number(pool.points.compactMap(\.cpuUsed).max()),
                                    DisplayFormat.number(pool.points.compactMap(\.starvation).max()),
                                ]
                            })
                }
                return
            }
            let pools = try await session.client.pools.list(name)
            try session.output.result(PoolListing(pools: pools)) {
                pools.isEmpty
                    ? "No pools."
                    : session.output.table(
                        ["POOL", "REGION", "CPUS", "MEMORY", "VMS", "MAX VMS"],
                        pools.map { pool in
                            [
                                pool.name, DisplayFormat.text(pool.region), pool.cpus.map(String.init) ?? "-", DisplayFormat.bytes(pool.memoryBytes),
                                pool.vmCount.map(String.init) ?? "-", pool.maxVMs.map(String.init) ?? "-",
                            ]
                        })
            }
        }
    }
}

struct PoolAdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "adopt", abstract: "Move a VM into a pool (can take several minutes).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The VM.") var vm: String
    @Option(help: "The pool.") var pool: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = try await session.client.pools.adopt(vm, into: pool)
            try session.output.result(change) { "Adopted \(change.vmName ?? vm) into pool \(change.pool ?? pool)." }
        }
    }
}

struct PoolDetachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detach", abstract: "Take a VM out of its pool; it becomes a standalone VM.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The VM.") var vm: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = try await session.client.pools.detach(vm)
            try session.output.result(change) {
                "Detached \(change.vmName ?? vm) from pool \(change.pool ?? "?"); it is now a standalone VM."
            }
        }
    }
}
