import Foundation

/// A JSON value whose objects keep their keys in the order they were
/// written, encoded the way Go's `encoding/json` encodes: compact, with
/// `<`, `>` and `&` escaped as `\u003c`, `\u003e` and `\u0026` unless
/// HTML escaping is off (`SetEscapeHTML(false)`, as command output is).
///
/// The real server marshals Go structs, whose key order is the field order;
/// clients that compare output byte for byte see the same order here.
package indirect enum JSONValue: Sendable, Equatable {
    /// An object; keys in output order.
    case object([(String, JSONValue)])
    /// An array.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// An integer.
    case int(Int64)
    /// A floating-point number.
    case double(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.encoded() == rhs.encoded() }

    /// An object written from a Go map: `encoding/json` sorts a map's keys
    /// (by bytes), whatever order the handler built it in.
    package static func goMap(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(members.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) })
    }

    /// A string array.
    package static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// An integer from any binary integer.
    package static func number<T: BinaryInteger>(_ value: T) -> JSONValue { .int(Int64(value)) }

    /// The compact encoding, without a trailing newline.
    package func encoded(escapingHTML: Bool = true) -> String {
        var out = ""
        encode(into: &out, escapingHTML: escapingHTML)
        return out
    }

    private func encode(into out: inout String, escapingHTML: Bool) {
        switch self {
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                Self.encodeString(member.0, into: &out, escapingHTML: escapingHTML)
                out += ":"
                member.1.encode(into: &out, escapingHTML: escapingHTML)
            }
            out += "}"
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.encode(into: &out, escapingHTML: escapingHTML)
            }
            out += "]"
        case .string(let value): Self.encodeString(value, into: &out, escapingHTML: escapingHTML)
        case .int(let value): out += String(value)
        case .double(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                out += String(Int64(value))
            } else {
                out += "\(value)"
            }
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func encodeString(_ value: String, into out: inout String, escapingHTML: Bool) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where escapingHTML: out += "\\u003c"
            case ">" where escapingHTML: out += "\\u003e"
            case "&" where escapingHTML: out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// Builds an ordered JSON object, skipping members whose value is `nil`
/// (Go's `omitempty` for the cases the server uses).
package struct JSONObjectBuilder: Sendable {
    private var members: [(String, JSONValue)] = []

    /// An empty object.
    package init() {}

    /// Adds `key` unless `value` is `nil`.
    package mutating func add(_ key: String, _ value: JSONValue?) {
        if let value { members.append((key, value)) }
    }

    /// Adds `key` with a string value unless it is `nil` or empty.
    package mutating func addNonEmpty(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { members.append((key, .string(value))) }
    }

    /// The object.
    package var value: JSONValue { .object(members) }

    /// The object as a Go map encodes it (keys sorted).
    package var goMapValue: JSONValue { .goMap(members) }
}
