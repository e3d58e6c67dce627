import ExeControl
import Testing

@Suite("Readiness polling")
struct ReadinessPollingTests {
    /// The times of the tries for a VM that is not ready, with no time spent in the tries.
    private func tries(_ polling: ReadinessPolling, until end: Duration) -> [Duration] {
        var now = Duration.zero
        var pause: Duration?
        var times = [now]
        while now < end {
            let next = polling.pause(after: pause, elapsed: now)
            pause = next
            now += next
            times.append(now)
        }
        return times
    }

    @Test("every 250 ms for the first 3 s (a VM that boots in about a second is found within 250 ms), then doubling up to 2 s")
    func schedule() {
        let times = tries(ReadinessPolling(), until: .seconds(12))
        #expect(Array(times.prefix(13)) == (0...12).map { Duration.milliseconds(250 * $0) })
        let pauses = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(Array(pauses.dropFirst(12).prefix(4)) == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(2)])
        // A VM ready at 1.0 s is tried at 1.0 s; at 1.1 s, by 1.25 s.
        #expect(times.first { $0 >= .milliseconds(1100) } == .milliseconds(1250))
    }

    @Test("a custom schedule keeps its bounds")
    func customBounds() {
        let polling = ReadinessPolling(quickInterval: .milliseconds(100), quickPeriod: .zero, longestInterval: .milliseconds(300))
        #expect(polling.pause(after: nil, elapsed: .zero) == .milliseconds(200))
        #expect(polling.pause(after: .milliseconds(200), elapsed: .seconds(1)) == .milliseconds(300))
        #expect(polling.pause(after: .milliseconds(300), elapsed: .seconds(2)) == .milliseconds(300))
    }
}
