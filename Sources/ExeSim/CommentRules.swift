import Foundation

/// VM comments: trimmed, at most 200 bytes of valid UTF-8, no tab, CR or
/// LF, no control, bidi or zero-width characters, none of `< > & " ' \``.
public enum CommentRules {
    /// The longest comment in bytes.
    public static let maximumBytes = 200

    /// The trimmed comment, or the error text.
    public static func validate(_ raw: String) -> Result<String, CommentError> {
        let comment = raw.trimmingCharacters(in: .whitespaces)
        if comment.utf8.count > maximumBytes {
            return .failure(CommentError(message: "comment too long: \(comment.utf8.count) bytes (max \(maximumBytes))"))
        }
        for scalar in comment.unicodeScalars {
            switch scalar {
            case "\t", "\r", "\n":
                return .failure(CommentError(message: "comment must not contain tabs or newlines"))
            case "<", ">", "&", "\"", "'", "`":
                return .failure(CommentError(message: "comment must not contain any of: < > & \" ' `"))
            default:
                let value = scalar.value
                let control = value < 0x20 || (0x7f...0x9f).contains(value)
                let invisible = (0x200b...0x200f).contains(value) || (0x202a...0x202e).contains(value)
                    || (0x2066...0x2069).contains(value) || value == 0xfeff
                if control || invisible {
                    return .failure(CommentError(message: "comment must not contain control, bidirectional or zero-width characters"))
                }
            }
        }
        return .success(comment)
    }
}

/// Why a comment was refused.
public struct CommentError: Error, Sendable, Equatable {
    /// The server's message.
    public let message: String
}
