import Foundation

/// POSIX shell quoting: turns argument vectors into one command line that a
/// POSIX shell (or a shell-style lexer such as go-shlex) splits back into
/// exactly the same words.
public enum ShellQuote {
    /// Quotes one word with single quotes, writing each `'` as `'\''`.
    ///
    /// Words made only of characters that no shell treats specially are
    /// returned as they are, which keeps command lines readable.
    public static func word(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy(isPlain) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Quotes each word and joins them with single spaces.
    public static func command(_ words: [String]) -> String {
        words.map(word).joined(separator: " ")
    }

    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case "_", "-", ".", "/", ":", "@", "%", "+", ",", "=": return true
        default: return false
        }
    }
}
