/// Splits a command line into words the way a POSIX shell does (the rules
/// of the go-shlex lexer the real server uses): blanks separate words,
/// single quotes keep everything literally, double quotes allow `\`
/// escapes of `\ " $` and backquote, a backslash outside quotes escapes
/// the next character.
package enum ShellWords {
    /// The line could not be split (an open quote or a trailing backslash).
    package struct SyntaxError: Error, Equatable, Sendable {
        /// What is wrong.
        package let reason: String
    }

    /// The words of a control command line, as the real server gets them:
    /// `anmitsu/go-shlex` (through `gliderlabs/ssh` `Session.Command` over
    /// SSH, `shlex.Split(cmd, true)` in `execore/exec_handler.go`) drops
    /// empty words, so `comment vm ''` has one argument.
    package static func commandWords(_ line: String) throws(SyntaxError) -> [String] {
        try split(line).filter { !$0.isEmpty }
    }

    /// The words of `line`, empty quoted words included (a shell's rules).
    package static func split(_ line: String) throws(SyntaxError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line.unicodeScalars).makeIterator()
        while let scalar = iterator.next() {
            switch scalar {
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    current.unicodeScalars.append(next)
                }
                if !closed { throw SyntaxError(reason: "unterminated single quote") }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { break }
                        if escaped == "\\" || escaped == "\"" || escaped == "$" || escaped == "`" {
                            current.unicodeScalars.append(escaped)
                        } else if escaped == "\n" {
                            continue
                        } else {
                            current.unicodeScalars.append("\\")
                            current.unicodeScalars.append(escaped)
                        }
                        continue
                    }
                    current.unicodeScalars.append(next)
                }
                if !closed { throw SyntaxError(reason: "unterminated double quote") }
            case "\\":
                guard let escaped = iterator.next() else { throw SyntaxError(reason: "trailing backslash") }
                if escaped == "\n" { continue }
                inWord = true
                current.unicodeScalars.append(escaped)
            default:
                inWord = true
                current.unicodeScalars.append(scalar)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
