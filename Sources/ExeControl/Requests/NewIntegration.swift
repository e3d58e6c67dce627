public import ExeSystem

/// An integration for `integrations add` (reference §4.13).
public struct NewIntegration: Sendable {
    /// The type and its settings.
    public enum Configuration: Sendable {
        /// An authenticating HTTP proxy to `target`, adding one header
        /// (its value secret) or a bearer token (not both): exe.dev stores
        /// one header per integration, so more than one is refused.
        case httpProxy(target: String, headers: [(name: String, value: Secret)] = [], bearer: Secret? = nil)
        /// An HTTP proxy to another VM you own; the server injects a VM-scoped key.
        case peerProxy(target: String)
        /// GitHub repositories (`owner/repo`, one owner); needs `integrations setup github`.
        case github(repositories: [String])
        /// The reflection endpoint, with these fields (`all`, `none`, or some of
        /// `email`, `integrations`, `tags`, `comment`).
        case reflection(fields: [String] = ["all"])

        var typeName: String {
            switch self {
            case .httpProxy, .peerProxy: return "http-proxy"
            case .github: return "github"
            case .reflection: return "reflection"
            }
        }
    }

    /// The integration's name.
    public var name: String
    /// What it is.
    public var configuration: Configuration
    /// A team integration (attachable by tag only).
    public var team: Bool
    /// Attachment specs: `vm:<name>`, `tag:<tag>`, `auto:all`.
    public var attachments: [String]
    /// A comment.
    public var comment: String?

    /// Creates an integration description.
    public init(name: String, configuration: Configuration, team: Bool = false, attachments: [String] = [], comment: String? = nil) {
        self.name = name
        self.configuration = configuration
        self.team = team
        self.attachments = attachments
        self.comment = comment
    }
}
