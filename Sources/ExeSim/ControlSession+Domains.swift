import Foundation

/// `domain add [--wildcard] <vm> <domain>`, `domain rm <vm> <domain>`,
/// `domain ls <vm> | -a` (exe.dev/docs/cli-domain.md). The docs give no
/// JSON shape: the sim's is a documented guess (Docs/exe-sim.md). No DNS
/// is looked up (the simulator has no network): the real server checks the
/// CNAME you set up.
extension ControlSession {
    /// Checks a domain the way a hostname must look; returns it lower-cased.
    func validDomain(_ text: String) throws -> String {
        let domain = text.lowercased()
        let bare = domain.hasPrefix("*.") ? String(domain.dropFirst(2)) : domain
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        let valid = bare.utf8.count <= 253 && labels.count >= 2
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            }
        guard valid else { throw CommandFailure("invalid domain \(GoFlagParser.goQuote(text))") }
        if bare == "exe.xyz" || bare.hasSuffix(".exe.xyz") || bare == "exe.dev" || bare.hasSuffix(".exe.dev") {
            throw CommandFailure("\(GoFlagParser.goQuote(text)) is an exe.dev domain; every VM already has <vm>.exe.xyz")
        }
        return domain
    }

    private func domainEntry(_ vm: VMRecord, _ domain: VMDomain) -> JSONValue {
        .object([
            ("vm_name", .string(vm.name)), ("domain", .string(domain.domain)), ("wildcard", .bool(domain.wildcard)),
            ("added_at", .string(domain.addedAt.rfc3339)),
        ])
    }

    func domainAdd() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: domain add [--wildcard] <vm> <domain>") }
        let name = normalizedVMName(arguments[0])
        let domain = try validDomain(arguments[1])
        let wildcard = flags.bool("wildcard")
        if wildcard, domain.hasPrefix("*.") {
            throw CommandFailure("--wildcard cannot be combined with a *. domain")
        }
        let added = VMDomain(domain: domain, wildcard: wildcard, addedAt: now)
        let vm: VMRecord = try store.update { state in
            let index = try state.existingVMIndex(named: name)
            if let owner = state.vms.first(where: { ($0.domains ?? []).contains { $0.domain == domain } }) {
                if owner.id == state.vms[index].id {
                    throw CommandFailure("domain \(GoFlagParser.goQuote(domain)) is already added to \(name)")
                }
                throw CommandFailure("domain \(GoFlagParser.goQuote(domain)) is already in use")
            }
            state.vms[index].domains = (state.vms[index].domains ?? []) + [added]
            return state.vms[index]
        }
        output.json(domainEntry(vm, added))
        output.line("Added \(domain) to \(vm.name)" + (wildcard ? " (with a wildcard certificate)" : ""))
    }

    func domainRemove() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: domain rm <vm> <domain>") }
        let name = normalizedVMName(arguments[0])
        let domain = arguments[1].lowercased()
        try store.update { state in
            let index = try state.existingVMIndex(named: name)
            var domains = state.vms[index].domains ?? []
            guard let position = domains.firstIndex(where: { $0.domain == domain }) else {
                throw CommandFailure("domain \(GoFlagParser.goQuote(domain)) is not added to \(name)")
            }
            domains.remove(at: position)
            state.vms[index].domains = domains
        }
        output.json(.object([("vm_name", .string(name)), ("domain", .string(domain)), ("status", .string("removed"))]))
        output.line("Removed \(domain) from \(name)")
    }

    func domainList() throws {
        let all = flags.bool("a")
        if all, !arguments.isEmpty { throw CommandFailure("usage: domain ls <vm> | domain ls -a") }
        if !all, arguments.count != 1 { throw CommandFailure("usage: domain ls <vm> | domain ls -a") }
        let state = try store.snapshot()
        var vms = state.vms
        if !all {
            let name = normalizedVMName(arguments[0])
            guard let vm = state.vm(named: name) else { throw CommandFailure("VM \(GoFlagParser.goQuote(name)) not found") }
            vms = [vm]
        }
        let rows = vms.sorted { $0.name < $1.name }.flatMap { vm in (vm.domains ?? []).map { (vm, $0) } }
        output.json(.object([("domains", .array(rows.map { domainEntry($0.0, $0.1) }))]))
        if rows.isEmpty { output.line("No custom domains.") }
        for (vm, domain) in rows { output.line("\(domain.domain)  \(vm.name)\(domain.wildcard ? "  wildcard" : "")") }
    }
}
