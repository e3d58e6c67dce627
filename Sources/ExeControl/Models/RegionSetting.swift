/// The result of `set-region` (reference §4.14).
public struct RegionSetting: Sendable, Hashable, Codable {
    /// The region code, e.g. `lax`.
    public var region: String
    /// The region for people.
    public var regionDisplay: String?

    enum CodingKeys: String, CodingKey { case region, regionDisplay = "region_display" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let region = container.lenientString(.region) else { throw MissingKey(description: "set-region without region") }
        self.region = region
        regionDisplay = container.lenientString(.regionDisplay)
    }
}
