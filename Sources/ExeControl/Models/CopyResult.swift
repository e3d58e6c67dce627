/// The result of `cp` (reference §4.15), whose keys differ from `new`'s.
public struct CopyResult: Sendable, Hashable, Codable {
    /// The new VM's name (`name`; `vm_name` is accepted too).
    public var name: String
    /// Its state, e.g. `starting`.
    public var state: VMStatus?
    /// The VM copied.
    public var source: String?
    /// Its SSH destination (`ssh`).
    public var sshDestination: String?
    /// `ssh_host`, when the server sends it.
    public var sshHost: String?
    /// `ssh_user`, when the server sends it.
    public var sshUser: String?
    /// `ssh_port`, when the server sends it.
    public var sshPort: Int?
    /// Seconds the copy took.
    public var elapsed: Double?

    enum CodingKeys: String, CodingKey {
        case name, state, source, sshDestination = "ssh", sshHost = "ssh_host", sshUser = "ssh_user"
        case sshPort = "ssh_port", elapsed
    }

    private enum AlternateKeys: String, CodingKey { case vmName = "vm_name", sshDest = "ssh_dest", status }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        guard let name = container.lenientString(.name) ?? alternate.lenientString(.vmName) else {
            throw MissingKey(description: "cp without name")
        }
        self.name = name
        state = container.lenient(VMStatus.self, .state) ?? alternate.lenient(VMStatus.self, .status)
        source = container.lenientString(.source)
        sshDestination = container.lenientString(.sshDestination) ?? alternate.lenientString(.sshDest)
        sshHost = container.lenientString(.sshHost)
        sshUser = container.lenientString(.sshUser)
        sshPort = container.lenientInt(.sshPort)
        elapsed = container.lenientDouble(.elapsed)
    }

    /// The copy as a ``VM``, for ``VMEndpoint``.
    public var vm: VM {
        VM(name: name, status: state, sshDestination: sshDestination, sshHost: sshHost, sshUser: sshUser, sshPort: sshPort)
    }
}
