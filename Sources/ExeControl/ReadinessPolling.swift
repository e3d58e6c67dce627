/// How often a new VM is asked whether it is ready: every
/// ``quickInterval`` for the first ``quickPeriod``, since exe.dev says a
/// new VM is "ready for SSH in about a second" (`standalone-vms.md`), then
/// twice as long after each try, up to ``longestInterval``.
///
/// A doubling from the start (200 ms, 400 ms, 800 ms, ...) tried a VM that
/// boots in one second at 0.2 s, 0.6 s and 1.4 s: 0.4 s late.
public struct ReadinessPolling: Sendable, Equatable {
    /// The pause between tries at first.
    public var quickInterval: Duration
    /// How long tries follow each other at ``quickInterval``.
    public var quickPeriod: Duration
    /// The longest pause between tries.
    public var longestInterval: Duration

    /// 250 ms for the first 3 s, then doubling up to 2 s.
    public init(quickInterval: Duration = .milliseconds(250), quickPeriod: Duration = .seconds(3), longestInterval: Duration = .seconds(2)) {
        self.quickInterval = quickInterval
        self.quickPeriod = quickPeriod
        self.longestInterval = longestInterval
    }

    /// The pause before the next try, `elapsed` after the wait began;
    /// `previous` is the pause before the try that just failed (`nil` after
    /// the first).
    public func pause(after previous: Duration?, elapsed: Duration) -> Duration {
        guard elapsed >= quickPeriod else { return quickInterval }
        return min(max((previous ?? quickInterval) * 2, quickInterval), longestInterval)
    }
}
