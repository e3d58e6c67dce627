/// A scan of YAML text, before libyaml sees it, that refuses nesting the
/// parser would pay for dearly: libyaml checks every open flow level on
/// every token (time quadratic in `[[[[...` depth), and Yams composes
/// recursively (stack linear in any depth).
///
/// The scan reads bytes without YAML's quoting rules, so it can only be
/// stricter than the real structure, never looser where it counts:
/// - at most ``flowOpenerLimit`` `[` and `{` bytes in all (quoted or
///   not), which bounds the real flow depth whatever the quoting;
/// - the running `[`/`{` depth (clamped at zero) at most the depth limit;
/// - at most the depth limit of `- ` and `? ` indicators opening one line
///   (`- - - - x` nests a sequence per pair of bytes).
/// Block nesting by indentation needs one more column per level, so a
/// document of bounded size has bounded block depth without a check here.
enum NestingScan {
    /// The most `[` and `{` bytes a document may contain.
    static let flowOpenerLimit = 2000

    static func check(_ text: String, limit: Int) throws(BoundedYAML.Failure) {
        var openers = 0
        var depth = 0
        var lineStart = true
        var compact = 0
        var previous: UInt8 = 0x0A
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                openers += 1
                depth += 1
                guard openers <= flowOpenerLimit else {
                    throw BoundedYAML.Failure("the document has more than \(flowOpenerLimit) [ and { characters")
                }
                guard depth <= limit else { throw BoundedYAML.Failure("the document nests deeper than \(limit) levels") }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case 0x0A, 0x0D:
                lineStart = true
                compact = 0
            default:
                break
            }
            if lineStart, byte != 0x0A, byte != 0x0D {
                switch byte {
                case 0x20, 0x09:
                    // A space after an indicator: the indicator opened a level.
                    if previous == UInt8(ascii: "-") || previous == UInt8(ascii: "?") {
                        compact += 1
                        guard compact <= limit else { throw BoundedYAML.Failure("the document nests deeper than \(limit) levels") }
                    }
                case UInt8(ascii: "-"), UInt8(ascii: "?"):
                    break
                default:
                    lineStart = false
                }
            }
            previous = byte
        }
    }
}
