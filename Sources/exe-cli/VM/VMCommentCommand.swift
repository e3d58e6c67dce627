import ArgumentParser
import ExeControl

/// `exe-cli vm comment NAME TEXT...`.
struct VMCommentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment", abstract: "Set a VM's comment; an empty text (\"\") clears it.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The VM.") var name: String
    /// The words of the comment. Options (`--json`, ...) are recognised
    /// anywhere, also after the text; words that begin with `-` go after `--`.
    @Argument(help: "The comment; several words are joined with spaces (words starting with - after --).") var text: [String] = []

    var comment: String { text.joined(separator: " ") }

    func validate() throws {
        if text.isEmpty { throw ValidationError("usage: comment <vm> <text> (\"\" clears the comment)") }
        do { try VMComment.validate(comment) } catch { throw ValidationError(error.message) }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let result = try await session.client.setComment(name, comment)
        try session.output.result(result) {
            result.comment.isEmpty ? "Cleared the comment of \(result.name)." : "\(result.name): \(result.comment)"
        }
    }
}
