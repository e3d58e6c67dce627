import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Finding and stopping processes the simulator started, by pid only:
/// a recorded pid and its descendants, or processes carrying a VM's
/// environment marker. Nothing is ever matched by name.
package enum ProcessTree {
    /// The pid in `file`, if the file holds one.
    package static func readPID(_ file: String) -> Int32? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `pid` is a live (not zombie) process.
    package static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, Glibc.kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// `pid` and all its descendants, parents first.
    package static func withDescendants(_ pid: Int32) -> [Int32] {
        var result: [Int32] = []
        var queue = [pid]
        while let next = queue.first {
            queue.removeFirst()
            guard !result.contains(next) else { continue }
            result.append(next)
            queue += ChildProcess.children(of: next)
        }
        return result
    }

    /// Processes whose environment contains exactly `entry` (`KEY=VALUE`).
    package static func processes(withEnvironmentEntry entry: String) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let needle = Data(entry.utf8)
        var result: [Int32] = []
        for name in names {
            guard let pid = Int32(name), pid != getpid() else { continue }
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            for field in environ.split(separator: 0) where field.elementsEqual(needle) {
                result.append(pid)
                break
            }
        }
        return result
    }

    /// SIGTERM to `pid` and its descendants, SIGKILL after `grace` to any left.
    package static func terminate(_ pid: Int32, grace: Duration = .seconds(2)) {
        guard isAlive(pid) else { return }
        let all = withDescendants(pid)
        for target in all { Glibc.kill(target, SIGTERM) }
        waitForExit(all, grace: grace)
        for target in all where isAlive(target) { Glibc.kill(target, SIGKILL) }
        waitForExit(all, grace: .seconds(2))
    }

    /// SIGKILL to each pid and its descendants.
    package static func kill(_ pids: [Int32]) {
        let all = pids.flatMap(withDescendants)
        for target in all where isAlive(target) { Glibc.kill(target, SIGKILL) }
        waitForExit(all, grace: .seconds(2))
    }

    private static func waitForExit(_ pids: [Int32], grace: Duration) {
        let deadline = ContinuousClock.now + grace
        while pids.contains(where: isAlive), ContinuousClock.now < deadline { usleep(10_000) }
    }
}
