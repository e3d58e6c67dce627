import ExeSystem
import Foundation
import Testing

@Suite("ShellQuote")
struct ShellQuoteTests {
    @Test("plain words stay as they are; others are single-quoted with ' as '\\''")
    func quoting() {
        #expect(ShellQuote.word("my-vm") == "my-vm")
        #expect(ShellQuote.word("--name=a.b/c:d@e") == "--name=a.b/c:d@e")
        #expect(ShellQuote.word("") == "''")
        #expect(ShellQuote.word("a b") == "'a b'")
        #expect(ShellQuote.word("it's") == #"'it'\''s'"#)
        #expect(ShellQuote.command(["echo", "$(id)", "a;b"]) == "echo '$(id)' 'a;b'")
    }

    @Test("/bin/sh splits a quoted command line back into the same words")
    func roundTrip() async throws {
        let words = ["plain", "two words", "it's", "$(id) `id` ${HOME}", "back\\slash", "semi;colon", "new\nline", "tab\there", "ünï 🚀", "*", ""]
        let script = "for word in " + ShellQuote.command(words) + "; do printf '%s\\0' \"$word\"; done"
        let output = try await LocalProcessRunner().check(ProcessInvocation("/bin/sh", ["-c", script], timeout: .seconds(10)))
        var arrived = output.standardOutput.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        arrived.removeLast()
        #expect(arrived == words)
    }
}
