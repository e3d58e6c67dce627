public import ExeSystem

/// One word of a control-plane command line, possibly with secret parts.
///
/// A word is text and secrets joined; ``revealed`` is what is sent,
/// ``redacted`` what appears in errors and logs (each secret part replaced by
/// `[REDACTED]`).
public struct ControlWord: Sendable, Hashable, ExpressibleByStringLiteral {
    /// A piece of a word.
    public enum Part: Sendable, Hashable {
        /// Text that may be shown.
        case text(String)
        /// A value that must never be shown.
        case secret(Secret)
    }

    /// The pieces, in order.
    public var parts: [Part]

    /// Creates a word from pieces.
    public init(_ parts: [Part]) { self.parts = parts }

    /// A word of plain text.
    public init(_ text: String) { parts = [.text(text)] }

    public init(stringLiteral value: String) { self.init(value) }

    /// A word that is entirely secret.
    public static func secret(_ secret: Secret) -> ControlWord { ControlWord([.secret(secret)]) }

    /// The word as sent to the server.
    public var revealed: String {
        parts.map { part in
            switch part {
            case .text(let text): return text
            case .secret(let secret): return secret.reveal()
            }
        }.joined()
    }

    /// The word with every secret part replaced by `[REDACTED]`.
    public var redacted: String {
        parts.map { part in
            switch part {
            case .text(let text): return text
            case .secret: return "[REDACTED]"
            }
        }.joined()
    }

    /// The secrets in this word.
    public var secrets: [Secret] {
        parts.compactMap { part in
            if case .secret(let secret) = part { return secret }
            return nil
        }
    }

    /// Whether the server's flag parser would take this word for a flag.
    var looksLikeFlag: Bool { revealed.hasPrefix("-") }
}
