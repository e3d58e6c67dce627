import ArgumentParser
import ExeControl

/// `exe-cli domain ...`: custom domains of VMs (a domain must be added
/// before traffic for it reaches the VM).
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Add, remove and list custom domains of VMs.",
        subcommands: [DomainAddCommand.self, DomainRemoveCommand.self, DomainListCommand.self])
}

/// `{"domains":[...]}` for `--json`.
struct DomainListing: Encodable {
    let domains: [CustomDomain]
}

struct DomainAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Link a custom domain (a CNAME you set up, or *.name for every subdomain) to a VM.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Also issue a wildcard (*.<parent>) certificate via DNS-01 delegation.") var wildcard = false
    @Argument(help: "The VM.") var vm: String
    @Argument(help: "The domain, e.g. app.example.com or '*.app.example.com'.") var domain: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let added = try await session.client.domains.add(vm, domain, wildcard: wildcard)
            try session.output.result(added) { "Added \(added.domain) to \(added.vmName ?? vm)." }
        }
    }
}

struct DomainRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a custom domain from a VM.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The VM.") var vm: String
    @Argument(help: "The domain.") var domain: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let removed = try await session.client.domains.remove(vm, domain)
            try session.output.result(removed) { "Removed \(removed.domain ?? domain) from \(removed.vmName ?? vm)." }
        }
    }
}

struct DomainListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the custom domains of a VM, or of all VMs with --all.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .customLong("all")], help: "Every VM's domains.") var all = false
    @Argument(help: "The VM (omit with --all).") var vm: String?

    func validate() throws {
        if all == (vm != nil) { throw ValidationError("give a VM or --all, not both") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let domains = try await session.client.domains.list(all ? nil : vm)
            try session.output.result(DomainListing(domains: domains)) {
                domains.isEmpty
                    ? "No custom domains."
                    : session.output.table(
                        ["DOMAIN", "VM", "WILDCARD", "ADDED"],
                        domains.map { [$0.domain, DisplayFormat.text($0.vmName), $0.wildcard == true ? "yes" : "no", DisplayFormat.date($0.addedAt)] })
            }
        }
    }
}
