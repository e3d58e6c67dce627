/// The `invite` subcommands (exe.dev/docs/cli-invite.md).
public struct InviteCommands: Sendable {
    let client: ControlClient

    /// `invite show`: the active link and its reward.
    public func show() async throws(ControlError) -> InviteLink {
        try await client.decode(InviteLink.self, .invite("show"))
    }

    /// `invite link`: only the link.
    public func link() async throws(ControlError) -> InviteLink {
        try await client.decode(InviteLink.self, .invite("link"))
    }

    /// `invite rewards`: the rewards you can choose.
    public func rewards() async throws(ControlError) -> [InviteRewardOption] {
        try await client.decode(InviteRewardList.self, .invite("rewards")).rewards
    }

    /// `invite set-reward <reward>`.
    @discardableResult
    public func setReward(_ reward: InviteReward) async throws(ControlError) -> InviteLink {
        try await client.decode(
            InviteLink.self, .invite("set-reward", [try ArgumentChecks.nonEmpty(reward.rawValue, "a reward")], readOnly: false))
    }

    /// `invite activity`: signups, upgrades and reward status.
    public func activity() async throws(ControlError) -> InviteReport {
        try await client.decode(InviteReport.self, .invite("activity"))
    }

    /// `invite request`: asks for more trial invites.
    public func request() async throws(ControlError) -> InviteReport {
        try await client.decode(InviteReport.self, .invite("request", readOnly: false))
    }

    /// `invite manage`: where the invites page is.
    public func manage() async throws(ControlError) -> InviteReport {
        try await client.decode(InviteReport.self, .invite("manage"))
    }
}
