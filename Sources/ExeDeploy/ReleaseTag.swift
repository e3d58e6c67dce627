public import ExeSystem
public import Foundation

/// A release's image tag, as the seed makes it: `<git short sha>-<UTC
/// timestamp>` (`3f2a9c1-20261122153000`), `<sha>-dirty-<timestamp>` when
/// the work tree has uncommitted changes (the image is not that commit), or
/// `nogit-<timestamp>` outside a git work tree.
public enum ReleaseTag {
    /// The tag for the work tree at `repositoryRoot` at `date`.
    public static func make(repositoryRoot: String, date: Date, runner: any ProcessRunner) async -> String {
        let output = try? await runner.run(ProcessInvocation(
            "git", ["-C", repositoryRoot, "rev-parse", "--short", "HEAD"], timeout: .seconds(15)))
        let sha = output.flatMap { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
        guard let sha, !sha.isEmpty else { return "nogit-\(timestamp(date))" }
        let status = try? await runner.run(ProcessInvocation(
            "git", ["-C", repositoryRoot, "status", "--porcelain", "--untracked-files=no"], timeout: .seconds(30)))
        let dirty = status.map { $0.status == 0 && !$0.standardOutput.isEmpty } ?? false
        return "\(sha)\(dirty ? "-dirty" : "")-\(timestamp(date))"
    }

    /// `yyyyMMddHHmmss` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date)
    }
}
