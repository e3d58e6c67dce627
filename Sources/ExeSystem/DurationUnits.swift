/// A `Duration` in the units the system calls, timers and reports of this
/// package take: `poll` milliseconds, `usleep` microseconds, seconds as a
/// `Double`. Whole units truncate toward zero (`inMilliseconds` of 1.9 ms is 1).
extension Duration {
    /// The duration in seconds, with its fraction.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds.
    package var inMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Whole microseconds.
    package var inMicroseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }

    /// Whole nanoseconds.
    package var inNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// The time left as a `poll(2)` timeout: whole milliseconds rounded up
    /// (so a poll never wakes just before the deadline), at most `cap`, and
    /// 0 once nothing is left.
    package func pollTimeout(cap: Int32) -> Int32 {
        self <= .zero ? 0 : Int32(min(Int64(cap), inMilliseconds + 1))
    }
}
