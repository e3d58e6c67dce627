import Foundation

/// Where a new VM goes: its own reserved capacity (`--standalone`, alias
/// `--sandbox`), a pool (`--pool`), or the plan's shared capacity (`--no-pool`
/// or nothing).
enum PoolPlacement: Equatable {
    case shared
    case standalone
    case pool(String)
}

/// `pool new|hosts|list|adopt|detach` (exe.dev/docs/cli-pool.md) and the
/// placement flags of `new`/`cp` (standalone-vms.md). Pools are a team
/// feature on exe.dev; the simulated account may use them. JSON shapes are
/// documented guesses (Docs/exe-sim.md).
extension ControlSession {
    /// The placement `new`'s flags ask for; refuses the combinations
    /// standalone-vms.md forbids.
    func requestedPlacement() throws -> PoolPlacement {
        let standalone = flags.bool("standalone") || flags.bool("sandbox")
        let pool = flags.string("pool") ?? ""
        let noPool = flags.bool("no-pool")
        if standalone, !pool.isEmpty || noPool { throw CommandFailure("--standalone cannot be combined with --pool or --no-pool") }
        if !pool.isEmpty, noPool { throw CommandFailure("--pool cannot be combined with --no-pool") }
        if standalone { return .standalone }
        if !pool.isEmpty { return .pool(pool) }
        return .shared
    }

    /// Checks, under the state lock, that `placement` has room for a VM
    /// with `cpus` CPUs; returns the pool's region for a pool.
    func checkCapacity(_ placement: PoolPlacement, cpus: Int, in state: SimState) throws -> String? {
        switch placement {
        case .standalone:
            return nil
        case .shared:
            let counted = state.vms.filter { $0.standalone != true && $0.pool == nil }.count
            if counted >= environment.plan.maximumVMs {
                throw CommandFailure("You have reached the maximum number of VMs allowed on your plan.")
            }
            return nil
        case .pool(let name):
            guard let pool = (state.pools ?? []).first(where: { $0.name == name }) else {
                throw CommandFailure("pool \(GoFlagParser.goQuote(name)) not found")
            }
            let members = state.vms.filter { $0.pool == name }.count
            if members >= pool.maxVMs {
                throw CommandFailure("pool \(GoFlagParser.goQuote(name)) is full (\(members) of \(pool.maxVMs) VMs)")
            }
            if cpus > pool.cpus {
                throw CommandFailure("a VM with \(cpus) CPUs does not fit in pool \(GoFlagParser.goQuote(name)) (\(pool.cpus) CPUs)")
            }
            return pool.region
        }
    }

    /// Keys `ls --json` adds for a VM's placement (a documented guess).
    func placementKeys(_ vm: VMRecord) -> [(String, JSONValue)] {
        var keys: [(String, JSONValue)] = []
        if vm.standalone == true { keys.append(("standalone", .bool(true))) }
        if let pool = vm.pool { keys.append(("pool", .string(pool))) }
        return keys
    }

    private func poolEntry(_ pool: PoolRecord, state: SimState) -> JSONValue {
        let members = state.vms.filter { $0.pool == pool.name }.map(\.name).sorted()
        return .object([
            ("name", .string(pool.name)), ("region", .string(pool.region)), ("cpus", .number(pool.cpus)),
            ("memory_bytes", .int(pool.memoryBytes)), ("max_vms", .number(pool.maxVMs)), ("vm_count", .number(members.count)),
            ("vms", .strings(members)), ("created_at", .string(pool.createdAt.rfc3339)),
        ])
    }

    func poolNew() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: pool new <name> --cpus=N [--region=<region>] [--max-vms=M]") }
        let name = arguments[0]
        guard TagRules.isValid(name) else { throw CommandFailure("invalid pool name \(GoFlagParser.goQuote(name))") }
        guard flags.isSet("cpus") else { throw CommandFailure("--cpus is required") }
        let cpus = Int(flags.string("cpus") ?? "0") ?? 0
        guard cpus >= 4, cpus <= 512, cpus % 2 == 0 else {
            throw CommandFailure("--cpus must be an even number of vCPUs from 4 through 512 (4, 6, 8, and so on)")
        }
        let region = flags.string("region") ?? ""
        guard !region.isEmpty else { throw CommandFailure("--region is required (your team has no dedicated hosts)") }
        guard Regions.displayNames[region] != nil else { throw CommandFailure("unknown region \(GoFlagParser.goQuote(region))") }
        let limit = min(25 * cpus, 1000)
        var maxVMs = limit
        if flags.isSet("max-vms") {
            maxVMs = Int(flags.string("max-vms") ?? "0") ?? 0
            guard maxVMs >= 1, maxVMs <= limit else {
                throw CommandFailure("--max-vms must be from 1 through \(limit) for \(cpus) CPUs")
            }
        }
        let pool = PoolRecord(name: name, region: region, cpus: cpus, maxVMs: maxVMs, createdAt: now)
        let state: SimState = try store.update { state in
            if (state.pools ?? []).contains(where: { $0.name == name }) {
                throw CommandFailure("pool \(GoFlagParser.goQuote(name)) already exists")
            }
            state.pools = (state.pools ?? []) + [pool]
            return state
        }
        output.json(poolEntry(pool, state: state))
        output.line("Created pool \(name): \(cpus) CPUs, \(SizeArgument.display(pool.memoryBytes)) memory, up to \(maxVMs) VMs in \(region)")
    }

    func poolHosts() throws {
        output.json(.object([("hosts", .array([]))]))
        output.line("Your team has no dedicated hosts.")
    }

    func poolList() throws {
        guard arguments.count <= 1 else { throw CommandFailure("usage: pool list [pool-name] [--usage [--range=live|24h|7d|30d]]") }
        let usage = flags.bool("usage")
        let range = flags.string("range") ?? ""
        if !range.isEmpty, !usage { throw CommandFailure("--range requires --usage") }
        if usage, !range.isEmpty, !["live", "24h", "7d", "30d"].contains(range) {
            throw CommandFailure("invalid range \(GoFlagParser.goQuote(range)) (use live, 24h, 7d, or 30d)")
        }
        let state = try store.snapshot()
        var pools = state.pools ?? []
        if let name = arguments.first {
            pools = pools.filter { $0.name == name }
            if pools.isEmpty { throw CommandFailure("pool \(GoFlagParser.goQuote(name)) not found") }
        }
        if usage {
            let chosen = range.isEmpty ? "live" : range
            output.json(.object([("pools", .array(pools.map { usageEntry($0, range: chosen, state: state) }))]))
            for pool in pools {
                let members = state.vms.filter { $0.pool == pool.name }
                output.line("\(pool.name)  range: \(chosen)  cpus: \(pool.cpus)  vms: \(members.count)  cpu used: 0.00  starved: 0.00")
            }
            if pools.isEmpty { output.line("No pools.") }
            return
        }
        output.json(.object([("pools", .array(pools.map { poolEntry($0, state: state) }))]))
        if pools.isEmpty { output.line("No pools.") }
        for pool in pools {
            let members = state.vms.filter { $0.pool == pool.name }.count
            output.line("\(pool.name)  \(pool.region)  cpus: \(pool.cpus)  vms: \(members)/\(pool.maxVMs)")
        }
    }

    /// Synthetic usage: the sim does not meter CPU, so every point is zero.
    private func usageEntry(_ pool: PoolRecord, range: String, state: SimState) -> JSONValue {
        let step: TimeInterval
        let span: TimeInterval
        switch range {
        case "24h": (step, span) = (3600, 86400)
        case "7d": (step, span) = (6 * 3600, 7 * 86400)
        case "30d": (step, span) = (86400, 30 * 86400)
        default: (step, span) = (1, 0)
        }
        let end = (now.timeIntervalSince1970 / step).rounded(.down) * step
        let start = max((pool.createdAt.timeIntervalSince1970 / step).rounded(.down) * step, end - span)
        var points: [JSONValue] = []
        var time = start
        while time <= end {
            points.append(.object([
                ("timestamp", .string(Date(timeIntervalSince1970: time).rfc3339)), ("cpu_used", .double(0)),
                ("cpu_reserved", .number(pool.cpus)), ("starvation", .double(0)),
            ]))
            time += step
        }
        return .object([
            ("name", .string(pool.name)), ("range", .string(range)), ("cpus", .number(pool.cpus)),
            ("vm_count", .number(state.vms.filter { $0.pool == pool.name }.count)), ("points", .array(points)),
        ])
    }

    func poolAdopt() throws {
        let name = normalizedVMName(flags.string("vm") ?? "")
        let poolName = flags.string("pool") ?? ""
        guard !name.isEmpty else { throw CommandFailure("--vm is required") }
        guard !poolName.isEmpty else { throw CommandFailure("--pool is required") }
        try store.update { state in
            let index = try state.existingVMIndex(named: name)
            if state.vms[index].pool == poolName { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) is already in pool \(GoFlagParser.goQuote(poolName))") }
            _ = try checkCapacity(.pool(poolName), cpus: state.vms[index].cpus, in: state)
            state.vms[index].pool = poolName
            state.vms[index].standalone = nil
        }
        output.json(.object([("vm_name", .string(name)), ("pool", .string(poolName)), ("status", .string("adopted"))]))
        output.line("Adopted \(name) into pool \(poolName)")
    }

    func poolDetach() throws {
        let name = normalizedVMName(flags.string("vm") ?? "")
        guard !name.isEmpty else { throw CommandFailure("--vm is required") }
        let pool: String = try store.update { state in
            let index = try state.existingVMIndex(named: name)
            guard let pool = state.vms[index].pool else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) is not in a pool") }
            state.vms[index].pool = nil
            state.vms[index].standalone = true
            return pool
        }
        output.json(.object([
            ("vm_name", .string(name)), ("pool", .string(pool)), ("standalone", .bool(true)), ("status", .string("detached")),
        ]))
        output.line("Detached \(name) from pool \(pool); it is now a standalone VM")
    }
}
