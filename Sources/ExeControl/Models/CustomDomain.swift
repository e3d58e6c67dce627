public import Foundation

/// A custom domain of a VM (`domain add`, `domain ls`; exe.dev/docs/cli-domain.md).
/// The docs give no JSON shape: every key but the domain is optional, and
/// `name`/`vm`/`vm_name` and `domain`/`hostname` are all accepted.
public struct CustomDomain: Sendable, Hashable, Codable {
    /// The domain (`app.example.com`, or `*.app.example.com` for every subdomain).
    public var domain: String
    /// The VM it routes to.
    public var vmName: String?
    /// Whether a wildcard (`*.<parent>`) certificate was asked for.
    public var wildcard: Bool?
    /// When it was added.
    public var addedAt: Date?
    /// Certificate or DNS state, when the server reports one.
    public var status: String?

    enum CodingKeys: String, CodingKey {
        case domain, vmName = "vm_name", wildcard, addedAt = "added_at", status
    }
    private enum AlternateKeys: String, CodingKey { case hostname, name, vm }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        guard let domain = container.lenientString(.domain) ?? alternate.lenientString(.hostname) else {
            throw MissingKey(description: "a domain without domain")
        }
        self.domain = domain
        vmName = container.lenientString(.vmName) ?? alternate.lenientString(.vm) ?? alternate.lenientString(.name)
        wildcard = container.lenientBool(.wildcard)
        addedAt = container.lenientDate(.addedAt)
        status = container.lenientString(.status)
    }
}

/// `domain ls`: `{"domains":[...]}` or a bare array; entries that do not
/// decode are skipped.
struct CustomDomainList: Decodable {
    let domains: [CustomDomain]

    enum CodingKeys: String, CodingKey { case domains }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self) {
            domains = container.lenientArray(CustomDomain.self, .domains)
            return
        }
        let single = try decoder.singleValueContainer()
        domains = single.decodeNil() ? [] : try single.decode([Lossy<CustomDomain>].self).compactMap(\.value)
    }
}

/// The result of `domain rm`.
public struct CustomDomainRemoval: Sendable, Hashable, Codable {
    /// The VM.
    public var vmName: String?
    /// The domain removed.
    public var domain: String?
    /// `removed`, when reported.
    public var status: String?

    enum CodingKeys: String, CodingKey { case vmName = "vm_name", domain, status }

    /// A removal as the server reported it.
    public init(vmName: String?, domain: String?, status: String?) {
        self.vmName = vmName
        self.domain = domain
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vmName = container.lenientString(.vmName)
        domain = container.lenientString(.domain)
        status = container.lenientString(.status)
    }
}
