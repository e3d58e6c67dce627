import Foundation

/// Comment rules of the `comment` command and `new --comment` (reference
/// §4.7): after trimming, at most 200 bytes of UTF-8, no tabs or line breaks,
/// no control, bidi or zero-width characters, none of `< > & " ' \``.
public enum VMComment {
    /// The most bytes a comment may have.
    public static let maximumBytes = 200

    /// Checks `text`; an empty (or all-blank) comment clears the comment and
    /// is valid.
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` with the server's message.
    public static func validate(_ text: String) throws(ControlError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        if trimmed.utf8.count > maximumBytes {
            throw ControlError(.invalidArgument, "comment too long (max \(maximumBytes) bytes)")
        }
        for scalar in trimmed.unicodeScalars {
            if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                throw ControlError(.invalidArgument, "comment must not contain newlines or tabs")
            }
            if scalar.properties.generalCategory == .control {
                throw ControlError(.invalidArgument, "comment must not contain control characters")
            }
            if scalar.value == 0xAD || scalar.value == 0xFEFF || scalar.properties.generalCategory == .format {
                throw ControlError(.invalidArgument, "comment must not contain bidi or zero-width formatting characters")
            }
        }
        if trimmed.unicodeScalars.contains(where: { "<>&\"'`".unicodeScalars.contains($0) }) {
            throw ControlError(.invalidArgument, "comment must not contain HTML metacharacters (< > & \" ' `)")
        }
    }
}
