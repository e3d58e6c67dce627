public import Foundation

/// What a remote command reads on stdin. Whatever the source, EOF is sent
/// when it is exhausted, so commands that read stdin to the end finish.
public struct CommandInput: Sendable {
    enum Source: Sendable {
        case none
        case data(Data)
        case stream(@Sendable () async throws -> Data?)
    }

    let source: Source

    /// Whether the same bytes can be sent again (a retry on another
    /// connection); a stream is consumed as it is read.
    var isReplayable: Bool {
        if case .stream = source { return false }
        return true
    }

    /// No input: EOF right away (like `ssh -n`).
    public static let none = CommandInput(source: .none)

    /// These bytes, then EOF.
    public static func data(_ data: Data) -> CommandInput { CommandInput(source: .data(data)) }

    /// This string as UTF-8, then EOF.
    public static func string(_ string: String) -> CommandInput { .data(Data(string.utf8)) }

    /// The chunks of an async sequence, then EOF.
    public static func sequence<S: AsyncSequence & Sendable>(_ sequence: S) -> CommandInput
    where S.Element == Data {
        let box = IteratorBox(sequence)
        return CommandInput(source: .stream({ try await box.next() }))
    }
}

/// Lets a `Sendable` closure pull from an iterator that is used by one
/// reader at a time (the connection's input pump).
private final class IteratorBox<S: AsyncSequence>: @unchecked Sendable where S.Element == Data {
    private var iterator: S.AsyncIterator
    init(_ sequence: S) { iterator = sequence.makeAsyncIterator() }
    func next() async throws -> Data? { try await iterator.next() }
}
