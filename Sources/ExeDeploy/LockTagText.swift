/// Text in a VM tag, losslessly: tags allow only `[a-z0-9_-]` (reference
/// §6), so lowercase letters, digits and `-` stand for themselves and every
/// other byte of the UTF-8 is `_` and two lowercase hex digits
/// (`alice@laptop` → `alice_40laptop`). `__` never occurs inside an encoded
/// text (a `_` is always followed by a hex digit), so it separates fields.
enum LockTagText {
    /// The separator between two encoded fields.
    static let separator = "__"

    /// `text` in tag characters, at most `limit` of them (cut at a whole
    /// character of the encoding).
    static func encode(_ text: String, limit: Int = 80) -> String {
        var result = ""
        for byte in text.utf8 {
            let piece: String
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                piece = String(UnicodeScalar(byte))
            default:
                piece = "_" + String(byte, radix: 16).leftPadded(to: 2)
            }
            guard result.count + piece.count <= limit else { break }
            result += piece
        }
        return result
    }

    /// The text ``encode(_:limit:)`` made; `nil` for a malformed escape.
    static func decode<S: StringProtocol>(_ text: S) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "_") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex else { return nil }
                let second = utf8.index(after: first)
                guard let value = UInt8(String(decoding: [utf8[first], utf8[second]], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
