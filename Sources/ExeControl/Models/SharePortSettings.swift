/// The proxy port and its visibility: the result of `share port`,
/// `share set-public`/`set-private` and `share access allow`/`disallow`
/// (reference §4.9).
public struct SharePortSettings: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// The port the proxy forwards to.
    public var port: Int?
    /// Public or private (`share`).
    public var visibility: ShareVisibility?
    /// Team members may use the proxy.
    public var teamAccess: Bool?
    /// Team members may SSH in.
    public var teamSSH: Bool?
    /// Team members may use Shelley.
    public var teamShelley: Bool?
    /// `updated` after a change; absent for a query.
    public var status: String?

    enum CodingKeys: String, CodingKey {
        case name = "vm_name", port, visibility = "share", teamAccess = "team_access", teamSSH = "team_ssh"
        case teamShelley = "team_shelley", status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "share port without vm_name") }
        self.name = name
        port = container.lenientInt(.port)
        visibility = container.lenient(ShareVisibility.self, .visibility)
        teamAccess = container.lenientBool(.teamAccess)
        teamSSH = container.lenientBool(.teamSSH)
        teamShelley = container.lenientBool(.teamShelley)
        status = container.lenientString(.status)
    }
}
