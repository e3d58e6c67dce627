import ExeSystem
import Foundation

/// `invite show|link|rewards|set-reward|activity|request|manage`
/// (exe.dev/docs/cli-invite.md, invites.md). The link is stable per
/// account; nobody ever signs up in the simulator, so activity is empty and
/// `request` grants nothing. JSON shapes are documented guesses.
extension ControlSession {
    static let inviteRewards: [(name: String, description: String)] = [
        ("standard", "the standard invite reward"),
        ("bonus-credits", "bonus credits for both accounts"),
        ("extra-memory", "extra memory for both accounts"),
        ("extra-disk", "extra disk for both accounts"),
    ]

    private func inviteLinkText(_ state: SimState) -> String {
        let code = SHA256Hasher.hexDigest(Data(state.email.utf8)).prefix(12)
        return "https://exe.dev/invite/\(code)"
    }

    func inviteShow() throws {
        let state = try store.snapshot()
        let reward = state.inviteReward ?? "standard"
        output.json(.object([("link", .string(inviteLinkText(state))), ("reward", .string(reward))]))
        output.line("Invite link: \(inviteLinkText(state))")
        output.line("Reward: \(reward)")
    }

    func inviteLink() throws {
        let state = try store.snapshot()
        output.json(.object([("link", .string(inviteLinkText(state)))]))
        output.line(inviteLinkText(state))
    }

    func inviteRewards() throws {
        let current = try store.snapshot().inviteReward ?? "standard"
        output.json(.object([("rewards", .array(Self.inviteRewards.map { reward in
            .object([("name", .string(reward.name)), ("description", .string(reward.description)), ("selected", .bool(reward.name == current))])
        }))]))
        for reward in Self.inviteRewards {
            output.line("\(reward.name == current ? "*" : " ") \(reward.name)  \(reward.description)")
        }
    }

    func inviteSetReward() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: invite set-reward standard|bonus-credits|extra-memory|extra-disk") }
        let reward = arguments[0]
        guard Self.inviteRewards.contains(where: { $0.name == reward }) else {
            throw CommandFailure("unknown reward \(GoFlagParser.goQuote(reward)) (use standard, bonus-credits, extra-memory or extra-disk)")
        }
        let state: SimState = try store.update { state in
            state.inviteReward = reward
            return state
        }
        output.json(.object([("link", .string(inviteLinkText(state))), ("reward", .string(reward))]))
        output.line("Your invite link now carries the \(reward) reward: \(inviteLinkText(state))")
    }

    func inviteActivity() throws {
        output.json(.object([("signups", .array([])), ("upgrades", .array([])), ("rewards", .array([]))]))
        output.line("No invite activity yet.")
    }

    func inviteRequest() throws {
        output.json(.object([("requested", .bool(false)), ("message", .string("your plan allows no more trial invites"))]))
        output.line("Your plan allows no more trial invites.")
    }

    func inviteManage() throws {
        output.json(.object([("url", .string("https://exe.dev/invites"))]))
        output.line("Open https://exe.dev/invites to manage your invites.")
    }
}
