import Foundation

/// Comment rules of the `comment` command and `new --comment` (reference
/// §4.7): after trimming, at most 200 bytes of UTF-8, no tab, CR or LF, no
/// control (C0, DEL, C1), bidi or zero-width characters, none of
/// `< > & " ' \``.
///
/// The checks and their messages are the server's, in the server's order:
/// the length first, then each character from the start, so a comment with
/// several problems is refused for the same one the server names. Characters
/// the server accepts (other format characters such as the soft hyphen or
/// the tag characters of flag emoji) are accepted here too.
public enum VMComment {
    /// The most bytes a comment may have.
    public static let maximumBytes = 200

    /// The message for a tab, CR or LF.
    public static let lineBreakMessage = "comment must not contain tabs or newlines"
    /// The message for one of `< > & " ' \``.
    public static let metacharacterMessage = "comment must not contain any of: < > & \" ' `"
    /// The message for a control, bidi or zero-width character.
    public static let invisibleMessage = "comment must not contain control, bidirectional or zero-width characters"

    /// The message for a comment of `bytes` bytes (after trimming).
    public static func tooLongMessage(bytes: Int) -> String {
        "comment too long: \(bytes) bytes (max \(maximumBytes))"
    }

    /// Checks `text`; an empty (or all-blank) comment clears the comment and
    /// is valid.
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` with the server's message.
    public static func validate(_ text: String) throws(ControlError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.utf8.count > maximumBytes {
            throw ControlError(.invalidArgument, tooLongMessage(bytes: trimmed.utf8.count))
        }
        for scalar in trimmed.unicodeScalars {
            switch scalar {
            case "\t", "\r", "\n":
                throw ControlError(.invalidArgument, lineBreakMessage)
            case "<", ">", "&", "\"", "'", "`":
                throw ControlError(.invalidArgument, metacharacterMessage)
            default:
                if isInvisible(scalar) { throw ControlError(.invalidArgument, invisibleMessage) }
            }
        }
    }

    /// C0 and C1 controls and DEL; zero-width space, joiners and marks
    /// (U+200B–U+200F); bidi embeddings and overrides (U+202A–U+202E) and
    /// isolates (U+2066–U+2069); the byte-order mark (U+FEFF).
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || (0x200B...0x200F).contains(value)
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0xFEFF
    }
}
