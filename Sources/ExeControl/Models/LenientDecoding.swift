import Foundation

/// Lenient reads for response models: a missing, `null` or malformed
/// optional key becomes `nil` instead of failing the whole response, because
/// the server adds and changes keys often (reference §0).
extension KeyedDecodingContainer {
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(T.self, forKey: key)) ?? nil
    }

    func lenientString(_ key: Key) -> String? { lenient(String.self, key) }

    func lenientBool(_ key: Key) -> Bool? { lenient(Bool.self, key) }

    /// An integer, also when sent as a whole floating-point number or a string.
    func lenientInt(_ key: Key) -> Int? {
        if let value = lenient(Int.self, key) { return value }
        if let value = lenient(Double.self, key), value.isFinite, value.rounded() == value,
            abs(value) < 0x1p62
        {
            return Int(value)
        }
        return lenient(String.self, key).flatMap { Int($0) }
    }

    func lenientDouble(_ key: Key) -> Double? {
        lenient(Double.self, key) ?? lenient(String.self, key).flatMap { Double($0) }
    }

    /// A list of strings; `null` or missing reads as empty.
    func lenientStrings(_ key: Key) -> [String] { lenient([String].self, key) ?? [] }

    /// An RFC 3339 timestamp, with or without fractional seconds.
    func lenientDate(_ key: Key) -> Date? {
        guard let text = lenient(String.self, key) else { return nil }
        return RFC3339.date(from: text)
    }

    /// A list of models, skipping elements that do not decode.
    func lenientArray<T: Decodable>(_ type: T.Type, _ key: Key) -> [T] {
        guard let elements = lenient([Lossy<T>].self, key) else { return [] }
        return elements.compactMap(\.value)
    }

    /// The string at the first of `keys` that holds one.
    func firstString(_ keys: Key...) -> String? {
        for key in keys { if let value = lenientString(key) { return value } }
        return nil
    }
}

/// An element that decodes to `nil` instead of failing its array.
struct Lossy<T: Decodable>: Decodable {
    let value: T?
    init(from decoder: any Decoder) throws {
        value = try? T(from: decoder)
    }
}

/// RFC 3339 timestamps as the server writes them (Go's `time.RFC3339`,
/// sometimes with fractional seconds).
enum RFC3339 {
    static func date(from text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Thrown by model decoders when a key the model cannot do without is missing.
struct MissingKey: Error {
    let description: String
}
