public import ExeSystem

/// A `KEY=VALUE` pair for `new --env`. Mark values that must not be shown
/// (tokens, passwords) as secret: they are sent, but redacted in every error
/// and log line.
public struct EnvironmentVariable: Sendable, Hashable {
    /// The variable's name.
    public var name: String
    /// The value, possibly secret.
    public var value: ControlWord.Part

    /// A variable whose value may be shown.
    public init(name: String, value: String) {
        self.name = name
        self.value = .text(value)
    }

    /// A variable whose value is secret.
    public init(name: String, secret: Secret) {
        self.name = name
        value = .secret(secret)
    }

    /// Parses `KEY=VALUE` (split at the first `=`).
    ///
    /// - Throws: ``ControlError/Kind/invalidArgument`` with the server's
    ///   message; the value is not repeated in it when `secret` is set.
    public init(parsing text: String, secret: Bool = false) throws(ControlError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            let shown = secret ? "[REDACTED]" : GoQuote.string(text)
            throw ControlError(.invalidArgument, "invalid environment variable format \(shown): must be KEY=VALUE")
        }
        name = String(text[..<equals])
        let rest = String(text[text.index(after: equals)...])
        value = secret ? .secret(Secret(rest)) : .text(rest)
    }

    /// The flag value: `KEY=VALUE`.
    var word: ControlWord { ControlWord([.text(name + "="), value]) }

    func validate() throws(ControlError) {
        if name.isEmpty || name.contains("=") {
            throw ControlError(.invalidArgument, "invalid environment variable format \(GoQuote.string(name + "=…")): must be KEY=VALUE")
        }
    }
}
