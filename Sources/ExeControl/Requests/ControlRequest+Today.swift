/// Requests for the commands exe.dev added after May 2026: `pause`,
/// `resume`, `domain`, `pool`, `invite`, `integrations edit`.
extension ControlRequest {
    /// `pause <vm>` or `resume <vm>`.
    static func powerState(_ command: String, _ name: String) throws(ControlError) -> ControlRequest {
        ControlRequest([command], arguments: [try ArgumentChecks.existingVM(name)])
    }

    /// `domain add [--wildcard] <vm> <domain>`.
    static func addDomain(_ vm: String, _ domain: String, wildcard: Bool) throws(ControlError) -> ControlRequest {
        ControlRequest(
            ["domain", "add"], arguments: [try ArgumentChecks.existingVM(vm), try ArgumentChecks.nonEmpty(domain, "a domain")],
            flags: wildcard ? [ControlFlag(set: "wildcard")] : [])
    }

    /// `domain rm <vm> <domain>`.
    static func removeDomain(_ vm: String, _ domain: String) throws(ControlError) -> ControlRequest {
        ControlRequest(["domain", "rm"], arguments: [try ArgumentChecks.existingVM(vm), try ArgumentChecks.nonEmpty(domain, "a domain")])
    }

    /// `domain ls <vm>` or `domain ls -a` (`vm` nil).
    static func listDomains(_ vm: String?) throws(ControlError) -> ControlRequest {
        if let vm { return ControlRequest(["domain", "ls"], arguments: [try ArgumentChecks.existingVM(vm)], isReadOnly: true) }
        return ControlRequest(["domain", "ls"], flags: [ControlFlag(set: "a")], isReadOnly: true)
    }

    /// `pool new <name> --cpus=N [--region=] [--max-vms=]`.
    static func createPool(_ pool: NewPool) throws(ControlError) -> ControlRequest {
        guard pool.cpus >= 4, pool.cpus <= 512, pool.cpus % 2 == 0 else {
            throw ControlError(.invalidArgument, "--cpus must be an even number of vCPUs from 4 through 512 (4, 6, 8, and so on)")
        }
        var flags = [ControlFlag("cpus", ControlWord(String(pool.cpus)))]
        if let region = pool.region { flags.append(ControlFlag("region", try ArgumentChecks.nonEmpty(region, "--region"))) }
        if let maxVMs = pool.maxVMs {
            guard maxVMs >= 1 else { throw ControlError(.invalidArgument, "--max-vms must be at least 1") }
            flags.append(ControlFlag("max-vms", ControlWord(String(maxVMs))))
        }
        return ControlRequest(["pool", "new"], arguments: [try ArgumentChecks.nonEmpty(pool.name, "a pool name")], flags: flags)
    }

    static let poolHosts = ControlRequest(["pool", "hosts"], isReadOnly: true)

    /// `pool list [name] [--usage [--range=]]`.
    static func listPools(_ name: String?, usage: PoolUsageRange?) throws(ControlError) -> ControlRequest {
        var arguments: [ControlWord] = []
        if let name { arguments.append(try ArgumentChecks.nonEmpty(name, "a pool name")) }
        var flags: [ControlFlag] = []
        if let usage { flags += [ControlFlag(set: "usage"), ControlFlag("range", ControlWord(usage.rawValue))] }
        return ControlRequest(["pool", "list"], arguments: arguments, flags: flags, isReadOnly: true)
    }

    /// `pool adopt --vm= --pool=`.
    static func adoptIntoPool(_ vm: String, _ pool: String) throws(ControlError) -> ControlRequest {
        ControlRequest(
            ["pool", "adopt"],
            flags: [ControlFlag("vm", try ArgumentChecks.existingVM(vm)), ControlFlag("pool", try ArgumentChecks.nonEmpty(pool, "--pool"))])
    }

    /// `pool detach --vm=`.
    static func detachFromPool(_ vm: String) throws(ControlError) -> ControlRequest {
        ControlRequest(["pool", "detach"], flags: [ControlFlag("vm", try ArgumentChecks.existingVM(vm))])
    }

    /// `invite <subcommand> [argument]`.
    static func invite(_ subcommand: String, _ arguments: [ControlWord] = [], readOnly: Bool = true) -> ControlRequest {
        ControlRequest(["invite", subcommand], arguments: arguments, isReadOnly: readOnly)
    }

    /// `integrations edit <name> ...` (no `--json`; prints nothing in JSON mode).
    static func editIntegration(_ name: String, _ edit: IntegrationEdit) throws(ControlError) -> ControlRequest {
        var flags: [ControlFlag] = []
        if let comment = edit.comment { flags.append(ControlFlag("comment", ControlWord(comment))) }
        if let target = edit.target { flags.append(ControlFlag("target", try ArgumentChecks.nonEmpty(target, "--target"))) }
        for header in edit.headers {
            guard !header.name.isEmpty, !header.name.contains(":") else {
                throw ControlError(.invalidArgument, "invalid --header name \(GoQuote.string(header.name))")
            }
            flags.append(ControlFlag("header", ControlWord([.text(header.name + ":"), .secret(header.value)])))
        }
        if let bearer = edit.bearer { flags.append(ControlFlag("bearer", .secret(bearer))) }
        if !edit.repositories.isEmpty { flags.append(ControlFlag("repository", ControlWord(edit.repositories.joined(separator: ",")))) }
        if let fields = edit.fields { flags.append(ControlFlag("fields", ControlWord(fields.isEmpty ? "none" : fields.joined(separator: ",")))) }
        if let stepUp = edit.stepUp { flags.append(ControlFlag("step-up", bool: stepUp)) }
        if let passkey = edit.stepUpRequirePasskey { flags.append(ControlFlag("step-up-require-passkey", bool: passkey)) }
        guard !flags.isEmpty else { throw ControlError(.invalidArgument, "integrations edit needs at least one change") }
        return ControlRequest(
            ["integrations", "edit"], arguments: [try ArgumentChecks.nonEmpty(name, "an integration name")], flags: flags,
            definesJSONFlag: false, expectedOutput: .confirmation(linePrefixes: ["Updated integration "]))
    }
}

extension VMPlacement {
    /// The `new` flag for this placement.
    func flag() throws(ControlError) -> ControlFlag {
        switch self {
        case .standalone: return ControlFlag(set: "standalone")
        case .noPool: return ControlFlag(set: "no-pool")
        case .pool(let name): return ControlFlag("pool", try ArgumentChecks.nonEmpty(name, "--pool"))
        }
    }
}
