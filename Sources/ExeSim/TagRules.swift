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

    /// The error for an invalid tag.
    package static func invalidMessage(_ tag: String) -> String {
        "invalid tag name \(GoFlagParser.goQuote(tag)): must match [a-z][a-z0-9_-]*"
    }
}
