import Synchronization

/// Admits at most `capacity` busy turns at once, first come first served;
/// mostly-waiting turns run at once. ``SimulatorGate`` keeps one for the
/// test process.
public final class TurnGate: Sendable {
    private struct State {
        var busy = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// How many busy turns may run at once.
    public let capacity: Int
    private let state = Mutex(State())

    /// A gate for `capacity` busy turns at once (at least one).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Busy turns running now.
    public var busy: Int { state.withLock { $0.busy } }

    /// Busy turns waiting for a place.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` as a turn of `load`: a busy one once fewer than
    /// ``capacity`` busy turns run, handing its place to the longest waiter
    /// when it ends (also when it throws); a mostly-waiting one at once.
    public func turn<T>(load: SimulatorGate.Load = .busy, _ body: () async throws -> T) async throws -> T {
        guard load == .busy else { return try await body() }
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let enterNow = state.withLock { state in
                if state.busy >= capacity {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy += 1
                return true
            }
            if enterNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
