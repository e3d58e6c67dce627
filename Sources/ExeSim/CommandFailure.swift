/// A command refused its input: the message goes to the user exactly as
/// the real server words it (`{"error":"..."}` in JSON mode).
package struct CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    package let message: String

    /// Creates a failure with `message`.
    package init(_ message: String) { self.message = message }

    package var description: String { message }
}
