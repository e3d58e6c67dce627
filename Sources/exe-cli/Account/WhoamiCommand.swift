import ArgumentParser
import ExeControl

/// `exe-cli whoami`.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show your account and SSH keys.")

    @OptionGroup(title: "Global options") var global: GlobalOptions

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let account = try await session.client.whoami()
            try session.output.result(account) {
                var text = account.email
                if let region = account.regionDisplay ?? account.region { text += " (\(region))" }
                if !account.sshKeys.isEmpty {
                    text += "\n\n" + session.output.table(
                        ["NAME", "FINGERPRINT", "CURRENT"],
                        account.sshKeys.map { [DisplayFormat.text($0.name), DisplayFormat.text($0.fingerprint), $0.isCurrent ? "yes" : ""] })
                }
                return text
            }
        }
    }
}
