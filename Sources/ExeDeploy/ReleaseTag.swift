public import ExeSystem
public import Foundation

/// A release's image tag, as the seed makes it: `<git short sha>-<UTC
/// timestamp>` (`3f2a9c1-20261122153000`), or `nogit-<timestamp>` outside
/// a git work tree.
public enum ReleaseTag {
    /// The tag for the work tree at `repositoryRoot` at `date`.
    public static func make(repositoryRoot: String, date: Date, runner: any ProcessRunner) async -> String {
        let output = try? await runner.run(ProcessInvocation(
            "git", ["-C", repositoryRoot, "rev-parse", "--short", "HEAD"], timeout: .seconds(15)))
        let sha = output.flatMap { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
        return "\(sha.flatMap { $0.isEmpty ? nil : $0 } ?? "nogit")-\(timestamp(date))"
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
