import Foundation

/// Renders results for `--json`: one compact line (like the server's own
/// `--json`), keys sorted and in snake_case, dates in RFC 3339, slashes
/// unescaped. The keys are a stable schema (see `Docs/exe-cli.md`): the
/// server's wire keys for control-plane results, and the snake_case form of
/// the Swift property names for leases and deploys (`lease_id`,
/// `previous_image`).
enum JSONRenderer {
    static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .custom { path in SnakeCaseKey(path.last?.stringValue ?? "") }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The snake_case form of a camelCase identifier (`leaseID` is
    /// `lease_id`, `previousImage` is `previous_image`); any other key (a
    /// wire key, `vm_name`, a dictionary key with other characters) is kept.
    static func snakeCase(_ key: String) -> String {
        guard let first = key.first, first.isASCII, first.isLowercase,
            key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), key.contains(where: \.isUppercase)
        else { return key }
        var result = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                // A new word starts at an upper-case letter after a lower-case one or a digit,
                // or at the last capital of an acronym followed by a lower-case letter ("URLPath").
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    result.append("_")
                }
                result.append(Character(character.lowercased()))
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// A coding key in snake_case (``JSONRenderer/snakeCase(_:)``).
struct SnakeCaseKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ key: String) { stringValue = JSONRenderer.snakeCase(key) }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { return nil }
}
