import Foundation

/// Renders results for `--json`: pretty-printed, keys sorted, dates in
/// RFC 3339, slashes unescaped. The keys are the server's wire keys (see
/// `Docs/exe-cli.md`).
enum JSONRenderer {
    static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
