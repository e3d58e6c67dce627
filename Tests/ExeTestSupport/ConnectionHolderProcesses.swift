import Foundation

/// `exe-cli connections serve` processes (connection holders) that tests
/// started, found by the `--directory` on their command line, so a test can
/// stop exactly its own holders by pid.
public enum ConnectionHolderProcesses {
    /// Holders whose socket directory is `directory` or lies under it.
    public static func pids(under directory: String) -> [Int32] {
        let serve = Data("connections\0serve\0".utf8)
        let needle = Data("--directory\0\(directory)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return commandLine.range(of: serve) != nil && commandLine.range(of: needle) != nil
        }
    }

    /// Kills (SIGKILL) every holder under `directory` and waits up to a
    /// second for each to go.
    public static func stop(under directory: String) {
        for pid in pids(under: directory) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            for _ in 0..<100 where kill(pid, 0) == 0 {
                _ = waitpid(pid, &status, WNOHANG)
                usleep(10_000)
            }
        }
    }
}
