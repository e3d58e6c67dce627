public import Foundation

/// A successful command's output, split into its JSON values.
public struct ControlOutput: Sendable {
    /// Each top-level JSON value, in order (empty for commands that print
    /// nothing, or for text output).
    public var values: [Data]
    /// The output as text (for commands that print text lines).
    public var text: String

    /// The error objects printed before the result (`rm`): their `error`
    /// text, secrets redacted.
    public var errorMessages: [String]
    /// The command line, secrets redacted, for errors.
    public var command: String
    let redact: @Sendable (String) -> String

    /// Decodes the last JSON value as `T`.
    ///
    /// - Throws: ``ControlError/Kind/unexpectedResponse`` when there is no
    ///   value or it does not decode.
    /// - Parameters:
    ///   - type: the type to decode.
    ///   - showingRawOutput: put the raw output in the error; `false`
    ///   for results that carry secrets the client cannot know in advance
    ///   (a newly generated API token).
    public func decodeLast<T: Decodable>(_ type: T.Type, showingRawOutput: Bool = true) throws(ControlError) -> T {
        guard let last = values.last else {
            throw ControlError(
                .unexpectedResponse, "the server printed no JSON result", command: command,
                rawOutput: showingRawOutput ? redact(text) : nil)
        }
        do {
            return try JSONDecoder().decode(T.self, from: last)
        } catch {
            throw ControlError(
                .unexpectedResponse, "the server's JSON result could not be read (\(T.self)): \(error)",
                command: command, rawOutput: showingRawOutput ? redact(String(decoding: last, as: UTF8.self)) : nil)
        }
    }

    /// Whether the command printed nothing at all.
    public var isEmpty: Bool { values.isEmpty && text.allSatisfy(\.isWhitespace) }
}
