/// A reward an invite link can carry (exe.dev/docs/cli-invite.md). Open:
/// rewards this client does not know arrive as ``other(_:)``.
public enum InviteReward: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `standard`.
    case standard
    /// `bonus-credits`.
    case bonusCredits
    /// `extra-memory`.
    case extraMemory
    /// `extra-disk`.
    case extraDisk
    /// A reward this client does not know yet, as the server wrote it.
    case other(String)

    private static let known: [(String, InviteReward)] = [
        ("standard", .standard), ("bonus-credits", .bonusCredits), ("extra-memory", .extraMemory), ("extra-disk", .extraDisk),
    ]

    /// Reads the server's text.
    public init(rawValue: String) {
        self = Self.known.first { $0.0 == rawValue }?.1 ?? .other(rawValue)
    }

    /// The server's text.
    public var rawValue: String {
        if case .other(let text) = self { return text }
        return Self.known.first { $0.1 == self }!.0
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// `invite show`, `invite link`, `invite set-reward`: the invite link and its
/// reward. The docs give no JSON shape; both keys are optional.
public struct InviteLink: Sendable, Hashable, Codable {
    /// The link.
    public var link: String?
    /// The reward it carries.
    public var reward: InviteReward?

    enum CodingKeys: String, CodingKey { case link, reward }
    private enum AlternateKeys: String, CodingKey { case url, inviteLink = "invite_link" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let alternate = try decoder.container(keyedBy: AlternateKeys.self)
        link = container.lenientString(.link) ?? alternate.lenientString(.inviteLink) ?? alternate.lenientString(.url)
        reward = container.lenientString(.reward).map(InviteReward.init(rawValue:))
    }
}

/// One reward `invite rewards` offers.
public struct InviteRewardOption: Sendable, Hashable, Codable {
    /// The reward.
    public var reward: InviteReward
    /// What it gives.
    public var description: String?
    /// Whether the link carries it now.
    public var selected: Bool?

    enum CodingKeys: String, CodingKey { case reward = "name", description, selected }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.reward) else { throw MissingKey(description: "a reward without name") }
        reward = InviteReward(rawValue: name)
        description = container.lenientString(.description)
        selected = container.lenientBool(.selected)
    }
}

/// `invite rewards`: `{"rewards":[...]}` or a bare array (of objects or names).
struct InviteRewardList: Decodable {
    let rewards: [InviteRewardOption]
    enum CodingKeys: String, CodingKey { case rewards }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self) {
            rewards = container.lenientArray(InviteRewardOption.self, .rewards)
            return
        }
        let single = try decoder.singleValueContainer()
        rewards = single.decodeNil() ? [] : try single.decode([Lossy<InviteRewardOption>].self).compactMap(\.value)
    }
}

/// `invite activity`, `invite request`, `invite manage`: shapes the docs do
/// not show, kept whole.
public struct InviteReport: Sendable, Hashable, Codable {
    /// Every key the server sent.
    public var fields: JSONValue

    public init(from decoder: any Decoder) throws { fields = try JSONValue(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}
