import ArgumentParser
import ExeControl
import ExeSSH
import ExeSystem
import Foundation

/// `exe-cli ssh-key ...`.
struct SSHKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-key", abstract: "Manage the SSH keys of your account, and API tokens.",
        subcommands: [SSHKeyListCommand.self, SSHKeyAddCommand.self, SSHKeyRemoveCommand.self, SSHKeyRenameCommand.self, SSHKeyAPIKeyCommand.self])
}

struct SSHKeyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List your SSH keys.")
    @OptionGroup(title: "Global options") var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let keys = try await session.client.sshKeys.list()
            try session.output.result(["ssh_keys": keys]) {
                session.output.table(
                    ["NAME", "FINGERPRINT", "ADDED", "LAST USED", "CURRENT"],
                    keys.map {
                        [
                            DisplayFormat.text($0.name), DisplayFormat.text($0.fingerprint), DisplayFormat.date($0.addedAt),
                            DisplayFormat.date($0.lastUsedAt), $0.isCurrent ? "yes" : "",
                        ]
                    })
            }
        }
    }
}

struct SSHKeyAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a public key to your account.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "Read the public key from this file (e.g. ~/.ssh/id_ed25519.pub).") var file: String?
    @Argument(help: "The public key line ('ssh-ed25519 AAAA... comment').") var key: String?

    func validate() throws {
        if (file == nil) == (key == nil) { throw ValidationError("give the public key or --file, not both") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            var publicKey = key ?? ""
            if let file {
                let path = session.environment.ssh.expandingTilde(file)
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIUsageError("cannot read \(path)") }
                publicKey = String(decoding: data, as: UTF8.self)
            }
            let change = try await session.client.sshKeys.add(publicKey)
            try session.output.result(change) { "Added key" + (change.name.map { " \($0)" } ?? "") + "." }
        }
    }
}

struct SSHKeyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a key (by name, SHA256 fingerprint or public key).")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The key's name, fingerprint or public key.") var key: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = try await session.client.sshKeys.remove(key)
            try session.output.result(change) { "Removed key " + (change.name ?? change.fingerprint ?? key) + "." }
        }
    }
}

struct SSHKeyRenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a key.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The key's name.") var name: String
    @Argument(help: "The new name.") var newName: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let change = try await session.client.sshKeys.rename(name, to: newName)
            try session.output.result(change) { "Renamed key \(name) to \(change.name ?? newName)." }
        }
    }
}

struct SSHKeyAPIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-api-key",
        abstract: "Create a token for the HTTPS API (or a VM's proxy with --vm). The token is printed once.")
    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "The key's label.") var label: String?
    @Option(help: "Scope the token to this VM's HTTPS proxy.") var vm: String?
    @Option(name: .customLong("cmds"), help: "Comma-separated commands the token may run.") var commands: String?
    @Option(name: .customLong("exp"), help: "Lifetime: 30d, 12h, 1y, never, ...") var expiry: String?

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let options = APIKeyOptions(
                label: label, vm: vm, commands: commands.map { $0.split(separator: ",").map(String.init) } ?? [], expiry: expiry)
            let key = try await session.client.sshKeys.generateAPIKey(options)
            // Printing the token is this command's purpose; it goes to stdout only, alone on its line, so that
            // TOKEN=$(exe-cli ssh-key generate-api-key) works; the note about it goes to stderr.
            try session.output.result(key) { key.token.reveal() }
            if !session.output.json {
                session.console.printError(
                    "label \(key.label)" + (key.expiresAt.map { ", expires \(DisplayFormat.date($0)) UTC" } ?? ", never expires"))
            }
        }
    }
}
