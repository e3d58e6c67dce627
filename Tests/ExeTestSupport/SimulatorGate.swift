import Foundation
import Synchronization

/// Lets a few simulators run at a time in a test process, across test
/// modules.
///
/// SwiftPM links every test target into one process, and Swift Testing runs
/// suites of different modules in parallel. A simulator starts sshds, a
/// registry, podman and dozens of ssh clients, yet mostly waits: on health
/// checks, on deliberate sleeps (leases' TTLs and heartbeats), on podman.
/// In one run of every suite, the machine's two cores were busy 40% of the
/// time with one simulator at a time. So ``capacity`` simulators
/// (`EXE_TEST_SIMULATORS`, default 3) run side by side; more starve the
/// timing-sensitive tests on a 2-core machine. Suite traits that start a
/// simulator wrap their whole scope in ``exclusive(_:)``.
public enum SimulatorGate {
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private static let state = Mutex(State())

    /// How many simulators may run at once: `EXE_TEST_SIMULATORS` (a
    /// positive number), else 3.
    public static let capacity: Int = {
        if let text = ProcessInfo.processInfo.environment["EXE_TEST_SIMULATORS"], let value = Int(text), value > 0 { return value }
        return 3
    }()

    /// Runs `body` once fewer than ``capacity`` callers are inside
    /// `exclusive`, and lets the next waiter in when it ends (also when it
    /// throws).
    public static func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Inside ``exclusive(_:)``: starts a simulator (or a fixture built on
    /// one) with `start`, runs `body` with it, and stops it afterwards, also
    /// when `body` throws (then a failure to stop is secondary and dropped).
    ///
    /// The simulator suites take turns, a few at a time, so they are the
    /// test run's long pole: each turn prints one line to stderr, `simulator gate: LABEL:
    /// waited W s, start S s, body B s, stop T s`, to show where it goes.
    public static func withExclusive<Resource: Sendable>(
        label: String, start: () async throws -> Resource, stop: (Resource) async throws -> Void,
        _ body: (Resource) async throws -> Void
    ) async throws {
        let clock = ContinuousClock()
        let asked = clock.now
        try await exclusive {
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

    private static func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let enterNow = state.withLock { state in
                if state.running >= capacity {
                    state.waiters.append(continuation)
                    return false
                }
                state.running += 1
                return true
            }
            if enterNow { continuation.resume() }
        }
    }

    private static func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
