/// The `domain` subcommands (exe.dev/docs/cli-domain.md): custom domains
/// routed to a VM. A custom domain must be added before traffic flows.
public struct DomainCommands: Sendable {
    let client: ControlClient

    /// `domain add [--wildcard] <vm> <domain>`; `domain` may be
    /// `*.app.example.com` to route every subdomain.
    @discardableResult
    public func add(_ vm: String, _ domain: String, wildcard: Bool = false) async throws(ControlError) -> CustomDomain {
        try await client.decode(CustomDomain.self, .addDomain(vm, domain, wildcard: wildcard))
    }

    /// `domain rm <vm> <domain>`.
    @discardableResult
    public func remove(_ vm: String, _ domain: String) async throws(ControlError) -> CustomDomainRemoval {
        try await client.decode(CustomDomainRemoval.self, .removeDomain(vm, domain))
    }

    /// `domain ls <vm>`, or `domain ls -a` for every VM when `vm` is `nil`.
    public func list(_ vm: String? = nil) async throws(ControlError) -> [CustomDomain] {
        try await client.decode(CustomDomainList.self, .listDomains(vm)).domains
    }
}
