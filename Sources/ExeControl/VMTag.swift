/// Tag rules (reference §4.6, §6): `^[a-z][a-z0-9_-]*$`, each tag once.
public enum VMTag {
    /// Whether `tag` matches `^[a-z][a-z0-9_-]*$`.
    public static func isValid(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Checks `tags` as the `tag` command does.
    ///
    /// - Parameters:
    ///   - tags: the tags as given.
    ///   - rejectingDuplicates: `tag` refuses a tag given twice; `new --tag`
    ///     de-duplicates instead.
    /// - Throws: ``ControlError/Kind/invalidArgument`` with the server's message.
    public static func validate(_ tags: [String], rejectingDuplicates: Bool = true) throws(ControlError) {
        var seen = Set<String>()
        for tag in tags {
            guard isValid(tag) else {
                throw ControlError(.invalidArgument, "invalid tag name \(GoQuote.string(tag)): must match [a-z][a-z0-9_-]*")
            }
            if rejectingDuplicates, !seen.insert(tag).inserted {
                throw ControlError(.invalidArgument, "tag \(GoQuote.string(tag)) specified more than once")
            }
        }
    }
}
