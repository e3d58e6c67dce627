import ExeSystem
import Testing

@Suite struct ShellQuoteTests {
    @Test func plainWordsStayReadable() {
        #expect(ShellQuote.word("ls") == "ls")
        #expect(ShellQuote.word("--name=a-vm") == "--name=a-vm")
    }

    @Test func quotesAndEmbeddedQuotes() {
        #expect(ShellQuote.word("") == "''")
        #expect(ShellQuote.word("it's") == "'it'\\''s'")
        #expect(ShellQuote.command(["comment", "vm", "a b"]) == "comment vm 'a b'")
    }
}
