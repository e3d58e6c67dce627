/// A command refused its input: the message goes to the user exactly as
/// the real server words it (`{"error":"..."}` in JSON mode).
public struct CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public let message: String

    /// Creates a failure with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
