import ArgumentParser
import ExeControl

/// `exe-cli vm tag NAME TAG... [--delete]`.
struct VMTagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Add tags to a VM, or remove them with --delete.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Flag(name: [.short, .customLong("delete")], help: "Remove the tags instead.") var delete = false
    @Argument(help: "The VM.") var name: String
    @Argument(help: "Tags: a lowercase letter, then lowercase letters, digits, _ or -.") var tags: [String]

    func validate() throws {
        if tags.isEmpty { throw ValidationError("give at least one tag") }
        do { try VMTag.validate(tags) } catch { throw ValidationError(error.message) }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let result = delete ? try await session.client.untag(name, tags) : try await session.client.tag(name, tags)
        try session.output.result(result) {
            "\(result.name): " + (result.tags.isEmpty ? "no tags" : result.tags.joined(separator: ", "))
        }
    }
}
