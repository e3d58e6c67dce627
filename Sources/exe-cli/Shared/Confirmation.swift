import Foundation

/// Asks before a destructive command acts (`vm rm`, `lease stop` of a kept
/// lease, `deploy unlock`): only when stdin is a terminal, never with
/// `--yes`, and never without a terminal (scripts and CI go ahead).
enum Confirmation {
    /// Whether the user agrees to `question` (asked on stderr, answered on
    /// stdin); `true` at once with `assumeYes` or without a terminal.
    static func ask(_ question: String, assumeYes: Bool, console: Console, isTerminal: Bool = StandardInput.isTerminal) -> Bool {
        guard !assumeYes, isTerminal else { return true }
        console.writeError(Data("\(question) [y/N] ".utf8))
        guard let answer = readLine(strippingNewline: true) else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// ``ask(_:assumeYes:console:isTerminal:)``, ending the command with
    /// exit 1 and "nothing was changed" when the answer is no.
    static func require(_ question: String, assumeYes: Bool, console: Console) throws {
        guard ask(question, assumeYes: assumeYes, console: console) else {
            console.printError("error: not confirmed; nothing was changed (pass --yes to skip the question)")
            throw CLIExit(.commandFailed)
        }
    }
}
