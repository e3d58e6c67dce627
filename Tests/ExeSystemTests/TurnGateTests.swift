import ExeTestSupport
import Synchronization
import Testing

/// The gate the simulator suites take turns at (``SimulatorGate``), on a
/// gate of its own so the suites' real turns do not count.
@Suite struct TurnGateTests {
    /// Counts turns inside, and the most there ever were.
    final class Occupancy: Sendable {
        private let counts = Mutex((now: 0, most: 0))
        func enter() { counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { counts.withLock { $0.now -= 1 } }
        var most: Int { counts.withLock { $0.most } }
    }

    @Test("at most capacity busy turns run at once, and every one runs")
    func busyTurnsNeverExceedCapacity() async throws {
        let gate = TurnGate(capacity: 2)
        let occupancy = Occupancy()
        let finished = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<7 {
                group.addTask {
                    try await gate.turn(load: .busy) {
                        occupancy.enter()
                        defer { occupancy.leave() }
                        try await Task.sleep(for: .milliseconds(30))
                        return index
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(finished.sorted() == Array(0..<7))
        #expect(occupancy.most == 2)
        #expect(gate.busy == 0 && gate.waiting == 0)
    }

    @Test("a mostly-waiting turn runs while the busy places are all taken")
    func mostlyWaitingTurnsTakeNoPlace() async throws {
        let gate = TurnGate(capacity: 1)
        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let busy = Task {
            try await gate.turn(load: .busy) {
                enter.yield()
                for await _ in released { break }
            }
        }
        for await _ in entered { break }
        #expect(gate.busy == 1)
        let ran = try await gate.turn(load: .mostlyWaiting) { gate.busy }
        #expect(ran == 1, "it ran beside the busy turn, not after it")
        release.yield()
        try await busy.value
        #expect(gate.busy == 0)
    }

    @Test("a busy turn that throws gives its place back")
    func throwingTurnReleases() async throws {
        struct Failure: Error {}
        let gate = TurnGate(capacity: 1)
        await #expect(throws: Failure.self) { try await gate.turn { throw Failure() } }
        #expect(gate.busy == 0)
        #expect(try await gate.turn { 7 } == 7)
    }
}
