/// Checks JSON text the way the server's token parser (Go `json/v2`,
/// `sshkey/token.go`) does, and compacts it: one value, valid syntax, no
/// duplicate object keys at any level. Whitespace between tokens is
/// removed; strings and numbers are kept byte for byte.
enum StrictJSON {
    /// Why the text was refused.
    struct Failure: Error, Sendable, CustomStringConvertible {
        let description: String
    }

    /// The compact form of `text`.
    static func compacted(_ text: String) throws(Failure) -> String {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.skipSpace()
        try scanner.value(depth: 0)
        scanner.skipSpace()
        guard scanner.index == scanner.bytes.count else { throw Failure(description: "unexpected text after the JSON value") }
        return String(decoding: scanner.output, as: UTF8.self)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < 100 else { throw Failure(description: "JSON nested too deeply") }
            guard index < bytes.count else { throw Failure(description: "unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func object(depth: Int) throws(Failure) {
            output.append(bytes[index])
            index += 1
            skipSpace()
            var keys = Set<[UInt8]>()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                output.append(bytes[index])
                index += 1
                return
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure(description: "expected an object key") }
                let key = try string()
                guard keys.insert(key).inserted else {
                    throw Failure(description: "duplicate key \(String(decoding: key, as: UTF8.self))")
                }
                skipSpace()
                try expect(":")
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw Failure(description: "unexpected end of JSON") }
                if bytes[index] == UInt8(ascii: ",") {
                    output.append(bytes[index])
                    index += 1
                    continue
                }
                try expect("}")
                return
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            output.append(bytes[index])
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                output.append(bytes[index])
                index += 1
                return
            }
            while true {
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw Failure(description: "unexpected end of JSON") }
                if bytes[index] == UInt8(ascii: ",") {
                    output.append(bytes[index])
                    index += 1
                    continue
                }
                try expect("]")
                return
            }
        }

        mutating func expect(_ character: Character) throws(Failure) {
            guard index < bytes.count, bytes[index] == character.asciiValue else { throw Failure(description: "expected \(character)") }
            output.append(bytes[index])
            index += 1
        }

        /// Copies a string token; returns its decoded-enough identity (the
        /// raw bytes between the quotes, escapes resolved for comparison).
        mutating func string() throws(Failure) -> [UInt8] {
            let start = index
            index += 1
            var identity: [UInt8] = []
            while true {
                guard index < bytes.count else { throw Failure(description: "unterminated string") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20 else { throw Failure(description: "control character in a string") }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { throw Failure(description: "unterminated string") }
                    let escaped = bytes[index + 1]
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): identity.append(escaped)
                    case UInt8(ascii: "b"): identity.append(0x08)
                    case UInt8(ascii: "f"): identity.append(0x0c)
                    case UInt8(ascii: "n"): identity.append(0x0a)
                    case UInt8(ascii: "r"): identity.append(0x0d)
                    case UInt8(ascii: "t"): identity.append(0x09)
                    case UInt8(ascii: "u"):
                        guard index + 5 < bytes.count,
                            let code = UInt32(String(decoding: bytes[(index + 2)...(index + 5)], as: UTF8.self), radix: 16)
                        else { throw Failure(description: "invalid \\u escape") }
                        identity.append(contentsOf: [0xff, UInt8(code >> 8), UInt8(code & 0xff)])
                        index += 4
                    default: throw Failure(description: "invalid escape in a string")
                    }
                    index += 2
                    continue
                }
                identity.append(byte)
                index += 1
            }
            index += 1
            let raw = Array(bytes[start..<index])
            guard String(validating: raw[1..<(raw.count - 1)], as: UTF8.self) != nil else {
                throw Failure(description: "invalid UTF-8 in a string")
            }
            output.append(contentsOf: raw)
            return identity
        }

        mutating func literal(_ word: String) throws(Failure) {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<(index + expected.count)]) == expected else {
                throw Failure(description: "invalid JSON literal")
            }
            output.append(contentsOf: expected)
            index += expected.count
        }

        mutating func number() throws(Failure) {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure(description: "invalid JSON value") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw Failure(description: "invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw Failure(description: "invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            output.append(contentsOf: bytes[start..<index])
        }
    }
}
