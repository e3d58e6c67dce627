public import ExeSystem
public import Foundation
import Synchronization

/// A clock that moves only when told to (``advance(by:)``) or when someone
/// sleeps on it (the sleep returns at once, with the time moved on), so a
/// test of timeouts, expiries and back-offs takes no real time.
///
/// ```swift
/// let time = ManualClock()
/// var context = leases.context
/// context.clock = time.clock
/// time.advance(by: .seconds(3600))   // the lease's TTL is past
/// ```
public final class ManualClock: Sendable {
    private struct State {
        var date: Date
        var instant: ContinuousClock.Instant
    }

    private let state: Mutex<State>

    /// A clock that starts at `start` (now by default).
    public init(start: Date = Date()) {
        state = Mutex(State(date: start, instant: ContinuousClock.now))
    }

    /// The current time of this clock.
    public var now: Date { state.withLock { $0.date } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        let seconds = duration.inSeconds
        state.withLock {
            $0.date = $0.date.addingTimeInterval(seconds)
            $0.instant = $0.instant.advanced(by: duration)
        }
    }

    /// The clock as the libraries take it: sleeping advances it and
    /// returns at once (after a yield, so other tasks run).
    public var clock: ExeClock {
        ExeClock(
            now: { [self] in self.state.withLock { $0.date } }, instant: { [self] in self.state.withLock { $0.instant } },
            sleep: { [self] duration in
                try Task.checkCancellation()
                self.advance(by: duration)
                await Task.yield()
            })
    }
}
