import ArgumentParser
import ExeControl
import ExeSystem

/// `exe-cli integrations ...`.
struct IntegrationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrations", abstract: "Manage integrations (HTTP proxies, GitHub, reflection) and where they are attached.",
        subcommands: [
            IntegrationsListCommand.self, IntegrationsAddCommand.self, IntegrationsAttachCommand.self, IntegrationsDetachCommand.self,
            IntegrationsRemoveCommand.self, IntegrationsRenameCommand.self, IntegrationsEditCommand.self,
        ])
}

struct IntegrationsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List integrations.")
    @OptionGroup(title: "Global options") var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let integrations = try await session.client.integrations.list()
            try session.output.result(["integrations": integrations]) {
                integrations.isEmpty
                    ? "No integrations."
                    : session.output.table(
                        ["NAME", "TYPE", "ATTACHED", "COMMENT"],
                        integrations.map {
                            [$0.name + ($0.isTeam ? " (team)" : ""), $0.type, $0.attachments.joined(separator: ","), DisplayFormat.text($0.comment)]
                        })
            }
        }
    }
}

struct IntegrationsAddCommand: AsyncParsableCommand {
    enum IntegrationType: String, ExpressibleByArgument, CaseIterable { case httpProxy = "http-proxy", github, reflection }

    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an integration: http-proxy, github or reflection.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "http-proxy, github or reflection.") var type: IntegrationType
    @Option(help: "The integration's name.") var name: String
    @Flag(help: "A team integration.") var team = false
    @Option(name: .customLong("attach"), help: "vm:<name>, tag:<tag> or auto:all (repeatable).") var attachments: [String] = []
    @Option(help: "A comment.") var comment: String?
    @Option(help: "http-proxy: the target URL.") var target: String?
    @Option(name: .customLong("header"), help: "http-proxy: the Name:Value header to add (value kept secret; one per integration).") var headers: [String] = []
    @Option(name: .customLong("bearer-env"), help: "http-proxy: the variable holding a bearer token to add.") var bearerVariable: String?
    @Flag(help: "http-proxy: the target is another VM of yours.") var peer = false
    @Option(name: .customLong("repository"), help: "github: owner/repo (repeatable, one owner).") var repositories: [String] = []
    @Option(help: "reflection: all, none, or a comma list of email,integrations,tags,comment.") var fields: String?

    func validate() throws {
        switch type {
        case .httpProxy:
            if target == nil { throw ValidationError("http-proxy needs --target") }
            if peer, !headers.isEmpty || bearerVariable != nil { throw ValidationError("--peer takes no --header or --bearer-env") }
            if headers.count > 1 { throw ValidationError("--header once: exe.dev keeps one header per http-proxy integration") }
            if !headers.isEmpty, bearerVariable != nil { throw ValidationError("--header and --bearer-env are mutually exclusive") }
        case .github:
            if repositories.isEmpty { throw ValidationError("github needs --repository") }
        case .reflection:
            break
        }
        for header in headers where !header.contains(":") { throw ValidationError("--header must be Name:Value") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let configuration: NewIntegration.Configuration
            switch type {
            case .httpProxy where peer:
                configuration = .peerProxy(target: target ?? "")
            case .httpProxy:
                var bearer: Secret?
                if let bearerVariable {
                    guard let value = session.environment.variable(bearerVariable) else { throw CLIUsageError("$\(bearerVariable) is not set") }
                    bearer = Secret(value)
                }
                let parsed = headers.map { header -> (name: String, value: Secret) in
                    let colon = header.firstIndex(of: ":")!
                    return (String(header[..<colon]), Secret(String(header[header.index(after: colon)...])))
                }
                configuration = .httpProxy(target: target ?? "", headers: parsed, bearer: bearer)
            case .github:
                configuration = .github(repositories: repositories)
            case .reflection:
                configuration = .reflection(fields: (fields ?? "all").split(separator: ",").map(String.init))
            }
            try await session.client.integrations.add(
                NewIntegration(name: name, configuration: configuration, team: team, attachments: attachments, comment: comment))
            try session.output.result(Acknowledgement(command: "integrations add", name: name)) { "Added integration \(name)." }
        }
    }
}

struct IntegrationsAttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attach", abstract: "Attach an integration to vm:<name>, tag:<tag> or auto:all.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The integration.") var name: String
    @Argument(help: "vm:<name>, tag:<tag> or auto:all.") var spec: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            try await session.client.integrations.attach(name, to: spec)
            try session.output.result(Acknowledgement(command: "integrations attach", name: name)) { "Attached \(name) to \(spec)." }
        }
    }
}

struct IntegrationsDetachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detach", abstract: "Detach an integration.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The integration.") var name: String
    @Argument(help: "vm:<name>, tag:<tag> or auto:all.") var spec: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            try await session.client.integrations.detach(name, from: spec)
            try session.output.result(Acknowledgement(command: "integrations detach", name: name)) { "Detached \(name) from \(spec)." }
        }
    }
}

struct IntegrationsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an integration.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The integration.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            try await session.client.integrations.remove(name)
            try session.output.result(Acknowledgement(command: "integrations remove", name: name)) { "Removed integration \(name)." }
        }
    }
}

struct IntegrationsRenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename an integration.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The integration.") var name: String
    @Argument(help: "The new name.") var newName: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            try await session.client.integrations.rename(name, to: newName)
            try session.output.result(Acknowledgement(command: "integrations rename", name: newName)) { "Renamed \(name) to \(newName)." }
        }
    }
}
