/// The result of `pause` and `resume`. The docs show no JSON for them:
/// `vm_name` (or `name`) and `status` are read when present, and a missing
/// status is filled in from the command (`paused` after `pause`, `running`
/// after `resume`).
public struct PowerStateResult: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// Its state afterwards.
    public var status: VMStatus

    enum CodingKeys: String, CodingKey { case name = "vm_name", status }
    private enum AlternateKeys: String, CodingKey { case name }

    /// Creates a result.
    public init(name: String, status: VMStatus) {
        self.name = name
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        name = container.lenientString(.name) ?? alternate.lenientString(.name) ?? ""
        status = container.lenient(VMStatus.self, .status) ?? .unknown
    }
}
