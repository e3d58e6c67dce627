import ArgumentParser

/// `exe-cli token ...`: exe0 API tokens made locally.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Make exe0 API tokens locally, signed with your SSH key.",
        subcommands: [TokenMintCommand.self])
}
