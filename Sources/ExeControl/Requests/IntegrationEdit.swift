public import ExeSystem

/// Changes `integrations edit <name>` makes; `nil` / empty leaves a setting
/// as it is. Header values and the bearer token are secrets.
public struct IntegrationEdit: Sendable {
    /// A new comment.
    public var comment: String?
    /// http-proxy: a new target URL.
    public var target: String?
    /// http-proxy: headers to send (replace the current ones).
    public var headers: [(name: String, value: Secret)]
    /// http-proxy: a new bearer token.
    public var bearer: Secret?
    /// github: the repositories.
    public var repositories: [String]
    /// reflection: the fields (`[]` sends `none`).
    public var fields: [String]?
    /// `--step-up` (`true`) or `--step-up=false`: whether each use needs a
    /// fresh approval.
    public var stepUp: Bool?
    /// `--step-up-require-passkey[=false]`: whether a step-up approval
    /// needs a passkey.
    public var stepUpRequirePasskey: Bool?

    /// Creates an edit.
    public init(
        comment: String? = nil, target: String? = nil, headers: [(name: String, value: Secret)] = [], bearer: Secret? = nil,
        repositories: [String] = [], fields: [String]? = nil, stepUp: Bool? = nil
    ) {
        self.comment = comment
        self.target = target
        self.headers = headers
        self.bearer = bearer
        self.repositories = repositories
        self.fields = fields
        self.stepUp = stepUp
    }
}
