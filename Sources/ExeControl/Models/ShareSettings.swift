public import Foundation

/// Who can reach a VM's HTTPS proxy: the result of `share show` (reference §4.9).
public struct ShareSettings: Sendable, Hashable, Codable {
    /// A person the VM is shared with.
    public struct User: Sendable, Hashable, Codable {
        /// Their email.
        public var email: String
        /// `pending` or `active`.
        public var status: String?
        /// When they were invited.
        public var invitedAt: Date?

        enum CodingKeys: String, CodingKey { case email, status, invitedAt = "invited_at" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard let email = container.lenientString(.email) else { throw MissingKey(description: "share user without email") }
            self.email = email
            status = container.lenientString(.status)
            invitedAt = container.lenientDate(.invitedAt)
        }
    }

    /// A share link.
    public struct Link: Sendable, Hashable, Codable {
        /// The link's token (`?share=<token>`).
        public var token: String
        /// When it was made.
        public var createdAt: Date?
        /// How often it was used.
        public var useCount: Int?
        /// When it was last used.
        public var lastUsedAt: Date?

        enum CodingKeys: String, CodingKey { case token, createdAt = "created_at", useCount = "use_count", lastUsedAt = "last_used_at" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard let token = container.lenientString(.token) else { throw MissingKey(description: "share link without token") }
            self.token = token
            createdAt = container.lenientDate(.createdAt)
            useCount = container.lenientInt(.useCount)
            lastUsedAt = container.lenientDate(.lastUsedAt)
        }
    }

    /// A team the VM is shared with.
    public struct Team: Sendable, Hashable, Codable {
        /// The team's id.
        public var id: String?
        /// The team's name.
        public var name: String?

        enum CodingKeys: String, CodingKey { case id = "team_id", name = "team_name" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = container.lenientString(.id) ?? container.lenientInt(.id).map(String.init)
            name = container.lenientString(.name)
        }
    }

    /// The VM.
    public var name: String
    /// Public or private.
    public var visibility: ShareVisibility?
    /// The port the proxy forwards to.
    public var port: Int?
    /// The proxy URL.
    public var url: String?
    /// People with access.
    public var users: [User]
    /// Share links.
    public var links: [Link]
    /// Teams with access.
    public var teams: [Team]
    /// Team members may use the proxy.
    public var teamAccess: Bool?
    /// Team members may SSH in.
    public var teamSSH: Bool?
    /// Team members may use Shelley.
    public var teamShelley: Bool?
    /// Support has root access.
    public var supportHasRoot: Bool?

    enum CodingKeys: String, CodingKey {
        case name = "vm_name", visibility = "status", port, url, users, links, teams, teamAccess = "team_access"
        case teamSSH = "team_ssh", teamShelley = "team_shelley", supportHasRoot = "support_has_root"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "share show without vm_name") }
        self.name = name
        visibility = container.lenient(ShareVisibility.self, .visibility)
        port = container.lenientInt(.port)
        url = container.lenientString(.url)
        users = container.lenientArray(User.self, .users)
        links = container.lenientArray(Link.self, .links)
        teams = container.lenientArray(Team.self, .teams)
        teamAccess = container.lenientBool(.teamAccess)
        teamSSH = container.lenientBool(.teamSSH)
        teamShelley = container.lenientBool(.teamShelley)
        supportHasRoot = container.lenientBool(.supportHasRoot)
    }
}
