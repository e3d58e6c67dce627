public import Foundation

/// A VM as `ls`, `new` and `ls -a` (team VMs) describe it (reference §4.1,
/// §4.2). Only the name is always there; every other key is optional, because
/// each command sends a different subset and later servers add keys.
public struct VM: Sendable, Hashable, Codable {
    /// The VM's name (`vm_name`; `name` is accepted too).
    public var name: String
    /// Its state (`ls` only; `new` has no status).
    public var status: VMStatus?
    /// Region code, e.g. `lax`.
    public var region: String?
    /// Region for people, e.g. `Los Angeles, USA`.
    public var regionDisplay: String?
    /// The image, shown only when it is not the default exeuntu.
    public var image: String?
    /// Tags, sorted; empty when it has none.
    public var tags: [String]
    /// The comment, if set.
    public var comment: String?
    /// When it was created.
    public var createdAt: Date?
    /// `ssh_dest`: `name.exe.xyz`, `vm+name@vm.exe.xyz`, or `user@host`.
    public var sshDestination: String?
    /// `ssh_host`: the host to dial (later servers).
    public var sshHost: String?
    /// `ssh_user`: the user to log in as, absent when any user works.
    public var sshUser: String?
    /// `ssh_port`: the SSH port, 22 when absent.
    public var sshPort: Int?
    /// `ssh_command` (`new`): the command a person would type.
    public var sshCommand: String?
    /// The HTTPS URL of its proxy.
    public var httpsURL: String?
    /// The Shelley agent URL (exeuntu).
    public var shelleyURL: String?
    /// A VS Code remote URL (`new`).
    public var vscodeURL: String?
    /// The web terminal URL (`new`).
    public var xtermURL: String?
    /// The port the HTTPS proxy forwards to (`new`).
    public var proxyPort: Int?
    /// Disk size in bytes.
    public var diskCapacityBytes: Int?
    /// Memory size in bytes.
    public var memoryCapacityBytes: Int?
    /// CPUs.
    public var allocatedCPUs: Int?
    /// Who created it (team VMs from `ls -a`).
    public var creatorEmail: String?
    /// Whether it is a standalone VM (sandbox), when the server says.
    public var standalone: Bool?
    /// The pool it runs in, when the server says.
    public var pool: String?

    enum CodingKeys: String, CodingKey {
        case name = "vm_name", status, region, regionDisplay = "region_display", image, tags, comment
        case createdAt = "created_at", sshDestination = "ssh_dest", sshHost = "ssh_host", sshUser = "ssh_user"
        case sshPort = "ssh_port", sshCommand = "ssh_command", httpsURL = "https_url", shelleyURL = "shelley_url"
        case vscodeURL = "vscode_url", xtermURL = "xterm_url", proxyPort = "proxy_port"
        case diskCapacityBytes = "disk_capacity_bytes", memoryCapacityBytes = "memory_capacity_bytes"
        case allocatedCPUs = "allocated_cpus", creatorEmail = "creator_email", standalone, pool
    }

    private enum AlternateKeys: String, CodingKey { case name }

    /// Creates a VM value (for tests and callers that build their own).
    public init(name: String, status: VMStatus? = nil, sshDestination: String? = nil, sshHost: String? = nil, sshUser: String? = nil, sshPort: Int? = nil) {
        self.name = name
        self.status = status
        self.tags = []
        self.sshDestination = sshDestination
        self.sshHost = sshHost
        self.sshUser = sshUser
        self.sshPort = sshPort
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        guard let name = container.lenientString(.name) ?? alternate.lenientString(.name) else {
            throw MissingKey(description: "a VM without vm_name or name")
        }
        self.name = name
        status = container.lenient(VMStatus.self, .status)
        region = container.lenientString(.region)
        regionDisplay = container.lenientString(.regionDisplay)
        image = container.lenientString(.image)
        tags = container.lenientStrings(.tags)
        comment = container.lenientString(.comment)
        createdAt = container.lenientDate(.createdAt)
        sshDestination = container.lenientString(.sshDestination)
        sshHost = container.lenientString(.sshHost)
        sshUser = container.lenientString(.sshUser)
        sshPort = container.lenientInt(.sshPort)
        sshCommand = container.lenientString(.sshCommand)
        httpsURL = container.lenientString(.httpsURL)
        shelleyURL = container.lenientString(.shelleyURL)
        vscodeURL = container.lenientString(.vscodeURL)
        xtermURL = container.lenientString(.xtermURL)
        proxyPort = container.lenientInt(.proxyPort)
        diskCapacityBytes = container.lenientInt(.diskCapacityBytes)
        memoryCapacityBytes = container.lenientInt(.memoryCapacityBytes)
        allocatedCPUs = container.lenientInt(.allocatedCPUs)
        creatorEmail = container.lenientString(.creatorEmail)
        standalone = container.lenientBool(.standalone)
        pool = container.lenientString(.pool)
    }
}
