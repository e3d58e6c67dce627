import Foundation
import Synchronization

/// Collects a whole command's output in memory for ``SSHConnection/run(_:stdin:timeout:check:)``.
final class CollectingSink: ExecSink, @unchecked Sendable {
    private var stdout = Data()
    private var stderr = Data()
    private let completion: @Sendable (Result<CommandResult, SSHError>) -> Void

    init(completion: @escaping @Sendable (Result<CommandResult, SSHError>) -> Void) {
        self.completion = completion
    }

    var hasRoom: Bool { true }

    func receive(_ bytes: UnsafeRawBufferPointer, isStandardError: Bool) {
        if isStandardError { stderr.append(contentsOf: bytes) } else { stdout.append(contentsOf: bytes) }
    }

    func finish(_ status: RemoteExitStatus) {
        completion(.success(CommandResult(status: status, standardOutput: stdout, standardError: stderr)))
    }

    func fail(_ error: SSHError) { completion(.failure(error)) }
}

/// A bounded queue between the loop thread (producer) and an async
/// consumer, so streaming 200 MB of output needs constant memory: when the
/// queue is full the loop stops reading, the SSH window fills, and the
/// server stops sending.
final class StreamingSink: ExecSink, @unchecked Sendable {
    private struct State {
        var events: [CommandOutputEvent] = []
        var head = 0
        var buffered = 0
        var ended = false
        var failure: SSHError?
        var waiter: CheckedContinuation<CommandOutputEvent?, any Error>?
    }

    private let state = Mutex(State())
    private let limit: Int
    private let wake: @Sendable () -> Void

    init(limit: Int = 1 << 20, wake: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.wake = wake
    }

    var hasRoom: Bool { state.withLock { $0.buffered < limit } }

    func receive(_ bytes: UnsafeRawBufferPointer, isStandardError: Bool) {
        let data = Data(bytes)
        push(isStandardError ? .stderr(data) : .stdout(data), size: data.count, end: false, failure: nil)
    }

    func finish(_ status: RemoteExitStatus) { push(.exit(status), size: 0, end: true, failure: nil) }

    func fail(_ error: SSHError) { push(nil, size: 0, end: true, failure: error) }

    private func push(_ event: CommandOutputEvent?, size: Int, end: Bool, failure: SSHError?) {
        let resume = state.withLock { state -> (CheckedContinuation<CommandOutputEvent?, any Error>, Result<CommandOutputEvent?, any Error>)? in
            guard !state.ended else { return nil }
            if end { state.ended = true }
            if let failure { state.failure = failure }
            if let waiter = state.waiter {
                state.waiter = nil
                if let event { return (waiter, .success(event)) }
                if let failure { return (waiter, .failure(failure)) }
                return (waiter, .success(nil))
            }
            if let event {
                state.events.append(event)
                state.buffered += size
            }
            return nil
        }
        if let (waiter, result) = resume { waiter.resume(with: result) }
    }

    /// The next event, `nil` after the exit event; throws the connection's error.
    func next() async throws -> CommandOutputEvent? {
        try await withCheckedThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Result<CommandOutputEvent?, any Error>? in
                if state.head < state.events.count {
                    let event = state.events[state.head]
                    state.head += 1
                    if case .stdout(let data) = event { state.buffered -= data.count }
                    if case .stderr(let data) = event { state.buffered -= data.count }
                    if state.head > 64 && state.head * 2 > state.events.count {
                        state.events.removeFirst(state.head)
                        state.head = 0
                    }
                    return .success(event)
                }
                if state.ended {
                    if let failure = state.failure { return .failure(failure) }
                    return .success(nil)
                }
                state.waiter = continuation
                return nil
            }
            if let immediate {
                continuation.resume(with: immediate)
                wake()
            } else {
                wake()
            }
        }
    }

    /// Ends a pending `next()` with `error` (the consumer was cancelled).
    func cancelWaiter(_ error: SSHError) {
        let waiter = state.withLock { state -> CheckedContinuation<CommandOutputEvent?, any Error>? in
            state.ended = true
            state.failure = state.failure ?? error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }
}
