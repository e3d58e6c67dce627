/// The result of `share add`, `share remove`, `share add-link` and
/// `share remove-link` (reference §4.9).
public struct ShareChange: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// `success`.
    public var status: String?
    /// The email shared with (`share add`).
    public var sharedWith: String?
    /// The team shared with or removed.
    public var teamName: String?
    /// The server's note (`Invitation sent`, `Removed x's access`).
    public var message: String?
    /// The new link's token (`share add-link`).
    public var token: String?
    /// The new link (`share add-link`).
    public var url: String?

    enum CodingKeys: String, CodingKey {
        case name = "vm_name", status, sharedWith = "shared_with", teamName = "team_name", message, token, url
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "share result without vm_name") }
        self.name = name
        status = container.lenientString(.status)
        sharedWith = container.lenientString(.sharedWith)
        teamName = container.lenientString(.teamName)
        message = container.lenientString(.message)
        token = container.lenientString(.token)
        url = container.lenientString(.url)
    }
}
