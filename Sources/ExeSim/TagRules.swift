/// Tags: `^[a-z][a-z0-9_-]*$`.
package enum TagRules {
    /// Whether `tag` is valid.
    package static func isValid(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return bytes.dropFirst().allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The error for an invalid tag, as the tag, ssh-key and
    /// generate-api-key handlers word it (the pattern without anchors).
    package static func invalidMessage(_ tag: String) -> String {
        "invalid tag name \(GoFlagParser.goQuote(tag)): must match [a-z][a-z0-9_-]*"
    }

    /// The error of `validateTagName` (execore/ssh_tag_command.go), which
    /// prints the regexp itself, anchors included (`new --tag`, attachment
    /// specs).
    package static func anchoredInvalidMessage(_ tag: String) -> String {
        "invalid tag name \(GoFlagParser.goQuote(tag)): must match ^[a-z][a-z0-9_-]*$"
    }
}
