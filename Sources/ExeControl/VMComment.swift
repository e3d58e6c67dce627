import Foundation

/// Comment rules of the `comment` command and `new --comment`, as
/// `validateComment` in exe.dev's `execore/ssh_comment_command.go` checks
/// them: after trimming, at most 200 bytes; then each character from the
/// start (tab/CR/LF, other controls, format characters: bidi, zero-width,
/// soft hyphen, BOM, category Cf); then, for the whole text, none of
/// `< > & " ' \``. The messages are the server's (`new` prefixes them with
/// `--comment `).
public enum VMComment {
    /// The most bytes a comment may have.
    public static let maximumBytes = 200

    /// The message for a tab, CR or LF.
    public static let lineBreakMessage = "comment must not contain newlines or tabs"
    /// The message for one of `< > & " ' \``.
    public static let metacharacterMessage = "comment must not contain HTML metacharacters (< > & \" ' `)"
    /// The message for a control character.
    public static let controlMessage = "comment must not contain control characters"
    /// The message for a bidi or zero-width formatting character.
    public static let invisibleMessage = "comment must not contain bidi or zero-width formatting characters"

    /// The message for a comment of `bytes` bytes (after trimming).
    public static func tooLongMessage(bytes: Int) -> String {
        "comment too long (max \(maximumBytes) bytes)"
    }

    /// Checks `text`; an empty (or all-blank) comment clears the comment and
    /// is valid.
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` with the server's message.
    public static func validate(_ text: String) throws(ControlError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return }
        if trimmed.utf8.count > maximumBytes {
            throw ControlError(.invalidArgument, tooLongMessage(bytes: trimmed.utf8.count))
        }
        for scalar in trimmed.unicodeScalars {
            let value = scalar.value
            if scalar == "\t" || scalar == "\r" || scalar == "\n" { throw ControlError(.invalidArgument, lineBreakMessage) }
            if value < 0x20 || (0x7F...0x9F).contains(value) { throw ControlError(.invalidArgument, controlMessage) }
            if value == 0xAD || value == 0xFEFF || scalar.properties.generalCategory == .format {
                throw ControlError(.invalidArgument, invisibleMessage)
            }
        }
        if trimmed.unicodeScalars.contains(where: { "<>&\"'`".unicodeScalars.contains($0) }) {
            throw ControlError(.invalidArgument, metacharacterMessage)
        }
    }
}
