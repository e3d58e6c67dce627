import Foundation

/// A value that must never be printed: a token, a password, a passphrase.
///
/// Its `description` and `debugDescription` are `[REDACTED]`, so string
/// interpolation, `print`, logging and `dump` cannot leak it by accident.
/// Read it only where it leaves the process through a safe channel
/// (a child's stdin, a file with mode 0600, an HTTP header).
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    /// Wraps `value`.
    public init(_ value: String) { self.value = value }

    /// The secret itself. Every use is a place where it can leak: keep them few.
    public func reveal() -> String { value }

    /// `true` when the secret is the empty string.
    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "[REDACTED]" }
    public var debugDescription: String { "[REDACTED]" }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Replaces every occurrence of each secret in `text` with `[REDACTED]`.
    public static func redact(_ text: String, _ secrets: [Secret]) -> String {
        var result = text
        for secret in secrets where secret.value.count >= 4 {
            result = result.replacingOccurrences(of: secret.value, with: "[REDACTED]")
        }
        return result
    }
}
