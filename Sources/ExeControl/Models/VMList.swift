/// The result of `ls`: your VMs and, with `-a`, your team's.
public struct VMList: Sendable, Hashable, Codable {
    /// Your VMs.
    public var vms: [VM]
    /// Team VMs (`ls -a`); empty otherwise.
    public var teamVMs: [VM]

    enum CodingKeys: String, CodingKey {
        case vms, teamVMs = "team_vms"
    }

    /// Creates a list.
    public init(vms: [VM], teamVMs: [VM] = []) {
        self.vms = vms
        self.teamVMs = teamVMs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.vms) else { throw MissingKey(description: "an ls result without vms") }
        vms = container.lenientArray(VM.self, .vms)
        teamVMs = container.lenientArray(VM.self, .teamVMs)
    }
}
