import ExeSystem
import Foundation
import Synchronization

/// Reads every process's command line (`/proc/*/cmdline`) over and over on
/// a thread of its own while a deploy runs, and remembers any that holds
/// one of the needles: a secret must never be in anyone's argv. Put a
/// canary among the needles (and on a command line) to prove it sees them.
public final class ProcessArgumentScanner: Sendable {
    private struct State {
        var running = true
        var hits: [String] = []
        var commandLinesSeen = Set<String>()
        var sweeps = 0
    }

    private let needles: [Data]
    private let state = Mutex(State())
    private let done = Mutex<Bool>(false)

    /// Starts scanning for `needles`.
    public init(needles: [String]) {
        self.needles = needles.map { Data($0.utf8) }
        let thread = Thread { [self] in scan() }
        thread.start()
    }

    /// Stops scanning; returns the offending command lines (secrets
    /// replaced) and how many distinct command lines were seen.
    public func stop() -> (hits: [String], distinctCommandLines: Int, sweeps: Int) {
        state.withLock { $0.running = false }
        while !done.withLock({ $0 }) { usleep(5000) }
        return state.withLock { ($0.hits, $0.commandLinesSeen.count, $0.sweeps) }
    }

    /// Runs short processes whose argv holds `canary` (one of the needles)
    /// until a sweep has seen one, for up to 30 s: proof that the scanner
    /// sees processes that live as briefly as the ones it watches, however
    /// loaded the machine. Returns whether it saw one.
    @discardableResult
    public func showCanary(_ canary: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            _ = try await LocalProcessRunner().run(ProcessInvocation("/bin/sh", ["-c", "sleep 0.3", canary], timeout: .seconds(10)))
            if state.withLock({ $0.hits.contains { $0.contains(canary) } }) { return true }
        }
        return false
    }

    private func scan() {
        while state.withLock({ $0.running }) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries where entry.first?.isNumber == true {
                guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { continue }
                let line = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                let hit = needles.contains { data.range(of: $0) != nil }
                state.withLock { state in
                    state.commandLinesSeen.insert(line)
                    if hit { state.hits.append("pid \(entry): " + String(line.prefix(200)).replacingOccurrences(of: "=", with: "= ")) }
                }
            }
            state.withLock { $0.sweeps += 1 }
            usleep(20_000)
        }
        done.withLock { $0 = true }
    }
}
