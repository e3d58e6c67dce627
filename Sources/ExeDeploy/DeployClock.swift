public import Foundation

/// Time as a deploy sees it: the wall clock (tags, lock and audit times),
/// a monotonic clock (timings, deadlines) and sleeping. Injected so tests
/// can control it.
public struct DeployClock: Sendable {
    /// The current wall-clock time.
    public var now: @Sendable () -> Date
    /// A monotonic instant.
    public var instant: @Sendable () -> ContinuousClock.Instant
    /// Sleeps (throws when the task is cancelled).
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a clock.
    public init(
        now: @escaping @Sendable () -> Date, instant: @escaping @Sendable () -> ContinuousClock.Instant,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.now = now
        self.instant = instant
        self.sleep = sleep
    }

    /// The system's clocks.
    public static let system = DeployClock(
        now: { Date() }, instant: { ContinuousClock.now }, sleep: { try await Task.sleep(for: $0) })
}
