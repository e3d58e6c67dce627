import Dispatch
import ExeLease
import ExeSSH
import Foundation

/// The sharded form of `exe-cli lease run` (`--shards N`): runs
/// ``Leases/runSharded(_:interrupt:output:)`` with Ctrl-C wired to its
/// interrupt, streams or keeps each shard's output, prints the summary
/// table and JUnit totals, writes the merged report, and exits with the
/// run's status.
enum LeaseShardRunCommand {
    static func run(_ run: LeaseRunRequest, options: LeaseShardOptions, global: GlobalOptions, lease: LeaseOptions) async throws {
        guard let shards = options.shards else { return }
        let junit = try options.junit.map { try JUnitPattern($0) }
        let request = ShardedRunRequest(run: run, shards: shards, junit: junit)
        let root = await LeaseSession.repositoryRoot()
        let junitOut = options.junitOut.map(WorkingDirectoryPath.absolute) ?? root + "/.exe/junit.xml"
        let quiet = options.quietShards
        try await LeaseSession.run(global, lease) { leases, session in
            let sigint = SIGINTInterrupt()
            defer { sigint.remove() }
            let interrupt = sigint.interrupt
            let console = session.console
            let json = session.output.json
            // With --json, stdout holds only the summary object: the shards'
            // output (their stdout too) goes to stderr, prefixed.
            let writer = ShardOutputWriter(total: shards, quiet: quiet, console: console, standardOutputToError: json)
            let result = try await leases.runSharded(request, interrupt: interrupt) { index, event in writer.write(index, event) }
            for shard in result.shards {
                writer.finish(shard.index)
                if quiet, shard.status != .passed { writer.replay(shard.index) }
            }
            for shard in result.shards {
                if let report = shard.artifacts { console.printError(writer.prefix(shard.index) + LeaseArtifactsOutput.line(report)) }
            }
            console.printError(summaryTable(result))
            var exitCode = result.exitCode
            var junitReport: String?
            if let merged = result.junit {
                for problem in merged.problems { console.printError("warning: junit: \(problem)") }
                do {
                    try FileManager.default.createDirectory(
                        atPath: (junitOut as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try merged.xml.write(to: URL(fileURLWithPath: junitOut), options: .atomic)
                    junitReport = junitOut
                    console.printError("junit: \(merged.totals.summary) in \(merged.suiteCount) suite\(merged.suiteCount == 1 ? "" : "s") -> \(junitOut)")
                } catch {
                    console.printError("error: writing the merged JUnit report to \(junitOut) failed: \(error.localizedDescription)")
                    if exitCode == 0 { exitCode = CLIExitCode.commandFailed.rawValue }
                }
            }
            if !result.kept.isEmpty {
                console.printError("kept (--keep): \(result.kept.joined(separator: " ")); stop them with `exe-cli lease stop ID...`")
            }
            if let failure = result.cleanupFailure {
                console.printError("error: \(failure)")
                if exitCode == 0 { exitCode = CLIExitCode.commandFailed.rawValue }
            }
            if json { console.print(try JSONRenderer.render(ShardedRunSummary(result, junitReport: junitReport, exitCode: exitCode))) }
            if exitCode != 0 { throw CLIExit(status: exitCode) }
        }
    }

    /// SHARD STATUS TIME LEASE ORIGIN, one row per shard, then the total.
    static func summaryTable(_ result: ShardedRunResult) -> String {
        let total = result.shards.count
        let rows = result.shards.map { shard -> [String] in
            var status = shard.status.name
            switch shard.status {
            case .failed(let exit): status += " (exit \(exit.shellStatus))"
            case .error(let message): status += ": " + message
            default: break
            }
            return [
                "\(shard.index)/\(total)", status, String(format: "%.2fs", Double(shard.milliseconds) / 1000),
                shard.leaseID ?? "-", shard.origin?.rawValue ?? "-",
            ]
        }
        let passed = result.shards.filter { $0.status == .passed }.count
        let line = "\(passed)/\(total) shards passed in " + String(format: "%.2fs", Double(result.totalMilliseconds) / 1000)
            + (result.removed.isEmpty ? "" : "; removed \(result.removed.count) lease\(result.removed.count == 1 ? "" : "s")")
        return TableRenderer.render(headers: ["SHARD", "STATUS", "TIME", "LEASE", "ORIGIN"], rows: rows) + "\n" + line
    }
}
