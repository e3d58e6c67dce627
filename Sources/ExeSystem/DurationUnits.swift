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
}
