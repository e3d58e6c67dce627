import Foundation
import Synchronization

/// Lets one simulator run at a time in a test process, across test modules.
///
/// SwiftPM links every test target into one process, and Swift Testing runs
/// suites of different modules in parallel. A simulator starts sshds, a
/// registry and dozens of ssh clients; two at once on a 2-core machine
/// starve the timing-sensitive tests. Suite traits that start a simulator
/// wrap their whole scope in ``exclusive(_:)``.
public enum SimulatorGate {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private static let state = Mutex(State())

    /// Runs `body` once no other caller is inside `exclusive`, and lets the
    /// next waiter in when it ends (also when it throws).
    public static func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Inside ``exclusive(_:)``: starts a simulator (or a fixture built on
    /// one) with `start`, runs `body` with it, and stops it afterwards, also
    /// when `body` throws (then a failure to stop is secondary and dropped).
    ///
    /// The simulator suites take turns, so their sum is the suite's long
    /// pole: each turn prints one line to stderr, `simulator gate: LABEL:
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
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if enterNow { continuation.resume() }
        }
    }

    private static func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
