import ArgumentParser
import ExeControl

/// `exe-cli vm share ...`: who can reach a VM's HTTPS proxy.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Show and change who can reach a VM's HTTPS proxy.",
        subcommands: [
            ShareShowCommand.self, SharePortCommand.self, ShareSetPublicCommand.self, ShareSetPrivateCommand.self,
            ShareAccessCommand.self, ShareAddCommand.self, ShareRemoveCommand.self, ShareAddLinkCommand.self,
            ShareRemoveLinkCommand.self, ShareReceiveEmailCommand.self,
        ])
}

/// Text for port/visibility results.
private func describe(_ settings: SharePortSettings) -> String {
    "\(settings.name): port \(settings.port.map(String.init) ?? "-"), \(settings.visibility?.rawValue ?? "-")"
        + (settings.teamAccess == true ? ", team access" : "")
}

struct ShareShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a VM's sharing settings.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let settings = try await session.client.share.show(name)
            try session.output.result(settings) {
                var lines = [
                    "\(settings.name): \(settings.visibility?.rawValue ?? "-"), port \(settings.port.map(String.init) ?? "-")"
                        + (settings.url.map { ", \($0)" } ?? ""),
                ]
                if !settings.users.isEmpty {
                    lines.append("")
                    lines.append(session.output.table(["USER", "STATUS"], settings.users.map { [$0.email, DisplayFormat.text($0.status)] }))
                }
                if !settings.links.isEmpty {
                    lines.append("")
                    lines.append(
                        session.output.table(
                            ["LINK TOKEN", "CREATED", "USES"],
                            settings.links.map { [$0.token, DisplayFormat.date($0.createdAt), $0.useCount.map(String.init) ?? "-"] }))
                }
                if !settings.teams.isEmpty { lines.append("Teams: " + settings.teams.compactMap(\.name).joined(separator: ", ")) }
                return lines.joined(separator: "\n")
            }
        }
    }
}

struct SharePortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "port", abstract: "Show the proxy port, or set it (3000-9999). Only one port can be public.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String
    @Argument(help: "The new port.") var port: Int?

    func validate() throws {
        if let port, !(3000...9999).contains(port) { throw ValidationError("port must be between 3000 and 9999, got \"\(port)\"") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let settings: SharePortSettings
            if let port {
                settings = try await session.client.share.setPort(name, port)
            } else {
                settings = try await session.client.share.port(name)
            }
            try session.output.result(settings) { describe(settings) }
        }
    }
}

struct ShareSetPublicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set-public", abstract: "Make the VM's default port public.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let settings = try await session.client.share.setPublic(name)
            try session.output.result(settings) { describe(settings) }
        }
    }
}

struct ShareSetPrivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set-private", abstract: "Make the VM's default port private.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let settings = try await session.client.share.setPrivate(name)
            try session.output.result(settings) { describe(settings) }
        }
    }
}

struct ShareAccessCommand: AsyncParsableCommand {
    enum Action: String, ExpressibleByArgument, CaseIterable { case allow, disallow }

    static let configuration = CommandConfiguration(commandName: "access", abstract: "Allow or disallow your team to reach the VM.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "allow or disallow.") var action: Action
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let settings = try await session.client.share.setTeamAccess(name, allowed: action == .allow)
            try session.output.result(settings) { describe(settings) }
        }
    }
}

/// Whether `who` of `share add/remove` means the team: the server compares
/// `strings.ToLower(arg) == "team"` (execore/ssh_share.go), so `Team` is the
/// team too, never an address.
private func namesTeamWord(_ who: String) -> Bool { who.lowercased() == "team" }

struct ShareAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Share the VM with a person (email) or your team (team).")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "A note for the invitation.") var message: String?
    @Argument(help: "The VM.") var name: String
    @Argument(help: "An email address, or team.") var who: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = namesTeamWord(who)
                ? try await session.client.share.addTeam(name) : try await session.client.share.add(name, email: who, message: message)
            try session.output.result(change) { change.message ?? "Shared \(name) with \(change.sharedWith ?? change.teamName ?? who)." }
        }
    }
}

struct ShareRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop sharing the VM with a person or your team.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String
    @Argument(help: "An email address, or team.") var who: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = namesTeamWord(who)
                ? try await session.client.share.removeTeam(name) : try await session.client.share.remove(name, email: who)
            try session.output.result(change) { change.message ?? "Stopped sharing \(name) with \(who)." }
        }
    }
}

struct ShareAddLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add-link", abstract: "Create a share link anyone can use.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = try await session.client.share.addLink(name)
            try session.output.result(change) { change.url ?? change.token ?? "Created a link." }
        }
    }
}

struct ShareRemoveLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove-link", abstract: "Remove a share link.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String
    @Argument(help: "The link's token.") var token: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = try await session.client.share.removeLink(name, token: token)
            try session.output.result(change) { change.message ?? "Removed the link." }
        }
    }
}

struct ShareReceiveEmailCommand: AsyncParsableCommand {
    enum Setting: String, ExpressibleByArgument, CaseIterable { case on, off }

    static let configuration = CommandConfiguration(
        commandName: "receive-email", abstract: "Show, or turn on or off, email delivery to *@<vm>.exe.xyz.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String
    @Argument(help: "on or off.") var setting: Setting?

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let state: EmailReceiving
            if let setting {
                state = try await session.client.share.setReceiveEmail(name, enabled: setting == .on)
            } else {
                state = try await session.client.share.receiveEmail(name)
            }
            try session.output.result(state) {
                "\(state.name): email " + (state.enabled ? "on" + (state.address.map { " (\($0))" } ?? "") : "off")
            }
        }
    }
}
