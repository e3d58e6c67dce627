import Foundation

/// VM comments, as `validateComment` in `execore/ssh_comment_command.go`
/// checks them: trimmed, at most 200 bytes; then each character in turn
/// (tab/CR/LF, other controls, format characters: bidi, zero-width, soft
/// hyphen, BOM, category Cf); then, for the whole text, none of
/// `< > & " ' \``. The messages are the server's.
package enum CommentRules {
    /// The longest comment in bytes (`maxCommentBytes`).
    package static let maximumBytes = 200

    /// The trimmed comment, or the error text.
    package static func validate(_ raw: String) -> Result<String, CommentError> {
        let comment = raw.trimmingCharacters(in: .whitespacesAndNewlines)  // Go strings.TrimSpace
        if comment.isEmpty { return .success("") }
        if comment.utf8.count > maximumBytes {
            return .failure(CommentError(message: "comment too long (max \(maximumBytes) bytes)"))
        }
        for scalar in comment.unicodeScalars {
            let value = scalar.value
            if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                return .failure(CommentError(message: "comment must not contain newlines or tabs"))
            }
            if value < 0x20 || (0x7f...0x9f).contains(value) {
                return .failure(CommentError(message: "comment must not contain control characters"))
            }
            if value == 0xad || value == 0xfeff || scalar.properties.generalCategory == .format {
                return .failure(CommentError(message: "comment must not contain bidi or zero-width formatting characters"))
            }
        }
        if comment.unicodeScalars.contains(where: { "<>&\"'`".unicodeScalars.contains($0) }) {
            return .failure(CommentError(message: "comment must not contain HTML metacharacters (< > & \" ' `)"))
        }
        return .success(comment)
    }
}

/// Why a comment was refused.
package struct CommentError: Error, Sendable, Equatable {
    /// The server's message.
    package let message: String
}
