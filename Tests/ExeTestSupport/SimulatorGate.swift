import Foundation

/// Lets a few simulators run at a time in a test process, across test
/// modules.
///
/// SwiftPM links every test target into one process, and Swift Testing runs
/// suites of different modules in parallel. A simulator starts sshds, a
/// registry, podman and dozens of ssh clients, yet mostly waits: on health
/// checks, on deliberate sleeps (leases' TTLs and heartbeats), on podman.
/// In one run of every suite, the machine's two cores were busy 40% of the
/// time with one simulator at a time. So ``capacity`` busy turns
/// (`EXE_TEST_SIMULATORS`, default 3) run side by side; more starve the
/// timing-sensitive tests on a 2-core machine. A turn that spends nearly all
/// its time in deliberate sleeps (``Load/mostlyWaiting``) takes no place
/// among them. Suite traits that start a simulator wrap their whole scope
/// in ``withTurn(label:load:start:stop:_:)``.
public enum SimulatorGate {
    /// What a turn does with its time.
    public enum Load: Sendable {
        /// Builds, deploys, runs commands: it competes for the cores.
        case busy
        /// Sleeps on purpose for most of its time (a TTL to lapse, a
        /// window to close), with a few commands in between: it runs at
        /// once, beside ``capacity`` busy turns.
        case mostlyWaiting
    }

    /// How many busy turns may run at once: `EXE_TEST_SIMULATORS` (a
    /// positive number), else 3.
    public static let capacity: Int = {
        if let text = ProcessInfo.processInfo.environment["EXE_TEST_SIMULATORS"], let value = Int(text), value > 0 { return value }
        return 3
    }()

    private static let gate = TurnGate(capacity: capacity)

    /// Runs `body` as a turn of `load`: a busy one once fewer than
    /// ``capacity`` busy turns run, letting the next waiter in when it ends
    /// (also when it throws); a mostly-waiting one at once.
    public static func turn<T>(load: Load = .busy, _ body: () async throws -> T) async throws -> T {
        try await gate.turn(load: load, body)
    }

    /// In a turn (``turn(load:_:)``): starts a simulator (or a fixture built
    /// on one) with `start`, runs `body` with it, and stops it afterwards,
    /// also when `body` throws (then a failure to stop is secondary and
    /// dropped).
    ///
    /// The simulator suites take turns, a few at a time, so they are the
    /// test run's long pole: each turn prints one line to stderr, `simulator gate: LABEL:
    /// waited W s, start S s, body B s, stop T s`, to show where it goes.
    public static func withTurn<Resource: Sendable>(
        label: String, load: Load = .busy, start: () async throws -> Resource, stop: (Resource) async throws -> Void,
        _ body: (Resource) async throws -> Void
    ) async throws {
        let clock = ContinuousClock()
        let asked = clock.now
        try await turn(load: load) {
            var timings = TurnTimings(label: label, waited: clock.now - asked)
            defer { timings.report() }
            var mark = clock.now
            let resource = try await start()
            timings.start = clock.now - mark
            mark = clock.now
            do {
                try await body(resource)
            } catch {
                timings.body = clock.now - mark
                try? await stop(resource)
                throw error
            }
            timings.body = clock.now - mark
            mark = clock.now
            try await stop(resource)
            timings.stop = clock.now - mark
        }
    }

    private struct TurnTimings {
        var label: String
        var waited: Duration
        var start: Duration?
        var body: Duration?
        var stop: Duration?

        func report() {
            func seconds(_ duration: Duration?) -> String {
                duration.map { String(format: "%.1f s", BenchmarkReport.seconds($0)) } ?? "-"
            }
            let line = "simulator gate: \(label): waited \(seconds(waited)), start \(seconds(start)), body \(seconds(body)), stop \(seconds(stop))\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
