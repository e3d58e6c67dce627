import Foundation

/// The permissions payload of an exe0 token, parsed with the rules of
/// `sshkey/token.go` `ParseToken` (Go `json/v2` with
/// `RejectUnknownMembers`, `StrictInt`): a JSON object whose only members
/// are `exp`, `nbf` (plain integers in [946684800, 4102444800]), `cmds`
/// (non-empty strings) and `ctx` (any JSON), with no duplicate key at any level.
struct TokenPayload: Sendable, Equatable {
    static let minimumTimestamp: Int64 = 946_684_800
    static let maximumTimestamp: Int64 = 4_102_444_800

    var exp: Int64?
    var nbf: Int64?
    var cmds: [String]?
    /// The raw bytes of `ctx`, passed verbatim to VMs.
    var ctx: String?

    /// Parses `bytes`; the error is the server's text.
    static func parse(_ bytes: [UInt8]) throws(TokenRefusal) -> TokenPayload {
        var reader = StrictJSONReader(bytes: bytes)
        var payload = TokenPayload()
        do {
            reader.skipSpace()
            try reader.expect(UInt8(ascii: "{"))
            var seen = Set<String>()
            reader.skipSpace()
            if reader.peek() == UInt8(ascii: "}") {
                reader.index += 1
            } else {
                while true {
                    reader.skipSpace()
                    let name = try reader.string()
                    guard seen.insert(name).inserted else { throw TokenRefusal("invalid token: invalid JSON") }
                    reader.skipSpace()
                    try reader.expect(UInt8(ascii: ":"))
                    reader.skipSpace()
                    switch name {
                    case "exp": payload.exp = try reader.strictInt()
                    case "nbf": payload.nbf = try reader.strictInt()
                    case "cmds": payload.cmds = try reader.stringArray()
                    case "ctx":
                        let start = reader.index
                        try reader.skipValue(depth: 0)
                        payload.ctx = String(decoding: bytes[start..<reader.index], as: UTF8.self)
                    default: throw TokenRefusal("invalid token: unknown field \(GoFlagParser.goQuote(name))")
                    }
                    reader.skipSpace()
                    if reader.peek() == UInt8(ascii: ",") {
                        reader.index += 1
                        continue
                    }
                    try reader.expect(UInt8(ascii: "}"))
                    break
                }
            }
            reader.skipSpace()
            guard reader.index == bytes.count else { throw TokenRefusal("invalid token: invalid JSON") }
        } catch let refusal as TokenRefusal {
            throw refusal
        } catch {
            throw TokenRefusal("invalid token: invalid JSON")
        }
        for (name, value) in [("exp", payload.exp), ("nbf", payload.nbf)] {
            if let value, !(minimumTimestamp...maximumTimestamp).contains(value) {
                throw TokenRefusal("invalid token: \(name) out of valid range")
            }
        }
        if let cmds = payload.cmds, cmds.contains(where: \.isEmpty) {
            throw TokenRefusal("invalid token: cmds elements must be non-empty strings")
        }
        return payload
    }
}

/// Why a token was refused: the server's message.
struct TokenRefusal: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A strict JSON reader over bytes (syntax errors, duplicate keys, Go
/// `StrictInt` rules).
struct StrictJSONReader {
    struct SyntaxError: Error {}

    let bytes: [UInt8]
    var index = 0

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let byte = peek(), [0x20, 0x09, 0x0a, 0x0d].contains(byte) { index += 1 }
    }

    mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw SyntaxError() }
        index += 1
    }

    /// A string token, decoded.
    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw SyntaxError() }
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20 else { throw SyntaxError() }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard let escaped = peek() else { throw SyntaxError() }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
                else { throw SyntaxError() }
                index += 4
                out.append(contentsOf: Array(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
            default: throw SyntaxError()
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw SyntaxError() }
        return text
    }

    /// A Go `StrictInt`: no fraction, no exponent, no leading zeros, fits int64.
    mutating func strictInt() throws -> Int64 {
        guard peek() == UInt8(ascii: "-") || (peek().map { $0 >= 0x30 && $0 <= 0x39 } ?? false) else {
            // null, strings, objects: json/v2 reports a type error.
            throw TokenRefusal("invalid token: invalid JSON")
        }
        let start = index
        try skipNumber()
        let raw = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !raw.contains("."), !raw.contains("e"), !raw.contains("E"), let value = Int64(raw) else {
            throw TokenRefusal("invalid token: invalid JSON")
        }
        return value
    }

    /// An array of strings (`null` gives `nil`).
    mutating func stringArray() throws -> [String]? {
        if peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        try expect(UInt8(ascii: "["))
        var items: [String] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return items
        }
        while true {
            skipSpace()
            items.append(try string())
            skipSpace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return items
        }
    }

    mutating func literal(_ word: String) throws {
        for byte in word.utf8 { try expect(byte) }
    }

    mutating func skipNumber() throws {
        if peek() == UInt8(ascii: "-") { index += 1 }
        func digit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        guard digit(peek()) else { throw SyntaxError() }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            while digit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digit(peek()) else { throw SyntaxError() }
            while digit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digit(peek()) else { throw SyntaxError() }
            while digit(peek()) { index += 1 }
        }
    }

    /// Skips one value, refusing duplicate keys in objects.
    mutating func skipValue(depth: Int) throws {
        guard depth < 10000 else { throw SyntaxError() }
        switch peek() {
        case UInt8(ascii: "{"):
            index += 1
            var keys = Set<String>()
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                guard keys.insert(try string()).inserted else { throw SyntaxError() }
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return
            }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipSpace()
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }
}
