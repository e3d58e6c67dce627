import Foundation

/// One HTTP header or trailer field.
///
/// A value may be a secret (an `Authorization` header): ``HTTPClient``
/// sends it and never puts it in an error.
public struct HTTPField: Sendable, Equatable {
    /// The field name as sent or received.
    public var name: String
    /// The value, without surrounding whitespace.
    public var value: String

    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPField {
    /// The value of the first field named `name` (case-insensitive).
    public func value(named name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
