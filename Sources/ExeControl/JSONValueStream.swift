package import Foundation

/// Splits output that holds several JSON values one after another (`rm`
/// prints an error object per failed VM, then a summary) into the values'
/// bytes, in order.
package enum JSONValueStream {
    /// The byte ranges of each top-level value, or `nil` when `data` is not a
    /// sequence of JSON values separated by whitespace (plain text, a
    /// truncated value).
    package static func split(_ data: Data) -> [Data]? {
        let bytes = [UInt8](data)
        var values: [Data] = []
        var index = 0
        while true {
            while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count else { return values }
            guard let end = valueEnd(bytes, from: index) else { return nil }
            values.append(Data(bytes[index..<end]))
            index = end
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The index just past the value starting at `start`; structural checks
    /// only (the decoder validates the rest).
    private static func valueEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        switch bytes[start] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            var inString = false
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { return index + 1 }
                    default: break
                    }
                }
                index += 1
            }
            return nil
        case UInt8(ascii: "\""):
            var index = start + 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
                index += 1
            }
            return nil
        default:
            // A literal or number: up to the next whitespace, and it must parse.
            var index = start
            while index < bytes.count, !isWhitespace(bytes[index]) { index += 1 }
            let word = String(decoding: bytes[start..<index], as: UTF8.self)
            guard word == "null" || word == "true" || word == "false" || Double(word) != nil else { return nil }
            return index
        }
    }
}
