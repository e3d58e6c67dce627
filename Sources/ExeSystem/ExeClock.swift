public import Foundation

/// Time as the libraries see it: the wall clock (tags, claims, locks,
/// audit times), a monotonic clock (timings, deadlines) and sleeping.
/// Injected (`ExeDeploy`'s `DeployContext.clock`, `ExeLease`'s
/// `LeaseContext.clock`) so tests can move time instead of waiting;
/// `ExeTesting.ManualClock` is such a clock.
public struct ExeClock: Sendable {
    /// The current wall-clock time.
    public var now: @Sendable () -> Date
    /// A monotonic instant.
    public var instant: @Sendable () -> ContinuousClock.Instant
    /// Sleeps (throws when the task is cancelled).
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a clock from its three parts.
    public init(
        now: @escaping @Sendable () -> Date, instant: @escaping @Sendable () -> ContinuousClock.Instant,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.now = now
        self.instant = instant
        self.sleep = sleep
    }

    /// The system's clocks.
    public static let system = ExeClock(
        now: { Date() }, instant: { ContinuousClock.now }, sleep: { try await Task.sleep(for: $0) })

    /// The time elapsed since `start`, on the monotonic clock.
    public func elapsed(since start: ContinuousClock.Instant) -> Duration { instant() - start }
}
