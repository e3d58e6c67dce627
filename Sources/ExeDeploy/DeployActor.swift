/// Who runs a deploy and where, for locks and audit records.
public struct DeployActor: Sendable, Codable, Equatable {
    /// `alice@laptop`, `github:alice`, or what `EXE_DEPLOY_ACTOR` says.
    public var name: String
    /// The machine the deploy runs on.
    public var host: String

    /// Creates an actor.
    public init(name: String, host: String) {
        self.name = name
        self.host = host
    }
}
