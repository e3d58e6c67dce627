import ArgumentParser
import ExeControl

/// `exe-cli invite ...`: the account's invite link and rewards.
struct InviteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "Show your invite link, choose its reward, see invite activity.",
        subcommands: [
            InviteShowCommand.self, InviteLinkCommand.self, InviteRewardsCommand.self, InviteSetRewardCommand.self,
            InviteActivityCommand.self, InviteRequestCommand.self, InviteManageCommand.self,
        ])
}

/// `{"rewards":[...]}` for `--json`.
struct InviteRewardListing: Encodable {
    let rewards: [InviteRewardOption]
}

struct InviteShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show your active invite link and reward.")
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let invite = try await session.client.invites.show()
            try session.output.result(invite) { "Invite link: \(DisplayFormat.text(invite.link))\nReward: \(invite.reward?.rawValue ?? "-")" }
        }
    }
}

struct InviteLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link", abstract: "Print only your active invite link.")
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let invite = try await session.client.invites.link()
            try session.output.result(invite) { invite.link ?? "" }
        }
    }
}

struct InviteRewardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rewards", abstract: "List the rewards your invite link can carry.")
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let rewards = try await session.client.invites.rewards()
            try session.output.result(InviteRewardListing(rewards: rewards)) {
                session.output.table(
                    ["REWARD", "SELECTED", "DESCRIPTION"],
                    rewards.map { [$0.reward.rawValue, $0.selected == true ? "yes" : "", DisplayFormat.text($0.description)] })
            }
        }
    }
}

struct InviteSetRewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-reward", abstract: "Choose the reward for your invite link: standard, bonus-credits, extra-memory or extra-disk.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "standard, bonus-credits, extra-memory or extra-disk.") var reward: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let invite = try await session.client.invites.setReward(InviteReward(rawValue: reward))
            try session.output.result(invite) { "Your invite link carries the \(invite.reward?.rawValue ?? reward) reward." }
        }
    }
}

/// The three `invite` commands whose output shape the docs do not show:
/// printed as JSON with `--json`, as `key: value` lines otherwise.
protocol InviteReportCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func fetch(_ invites: InviteCommands) async throws -> InviteReport
}

extension InviteReportCommand {
    func runReport() async throws {
        try await CommandSession.run(global) { session in
            let report = try await fetch(session.client.invites)
            try session.output.result(report) {
                guard case .object(let members) = report.fields else { return "\(report.fields)" }
                return members.keys.sorted().map { key in
                    let value = members[key]!
                    switch value {
                    case .string(let text): return "\(key): \(text)"
                    case .array(let items): return "\(key): \(items.isEmpty ? "none" : String(items.count))"
                    default: return "\(key): \(value)"
                    }
                }.joined(separator: "\n")
            }
        }
    }
}

struct InviteActivityCommand: InviteReportCommand {
    static let configuration = CommandConfiguration(commandName: "activity", abstract: "Show signups, upgrades and reward status.")
    @OptionGroup var global: GlobalOptions
    func fetch(_ invites: InviteCommands) async throws -> InviteReport { try await invites.activity() }
    mutating func run() async throws { try await runReport() }
}

struct InviteRequestCommand: InviteReportCommand {
    static let configuration = CommandConfiguration(commandName: "request", abstract: "Request more trial invites.")
    @OptionGroup var global: GlobalOptions
    func fetch(_ invites: InviteCommands) async throws -> InviteReport { try await invites.request() }
    mutating func run() async throws { try await runReport() }
}

struct InviteManageCommand: InviteReportCommand {
    static let configuration = CommandConfiguration(commandName: "manage", abstract: "Show where to manage your invites on the web.")
    @OptionGroup var global: GlobalOptions
    func fetch(_ invites: InviteCommands) async throws -> InviteReport { try await invites.manage() }
    mutating func run() async throws { try await runReport() }
}
