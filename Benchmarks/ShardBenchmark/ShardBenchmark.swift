import ExeSystem
import ExeTestSupport
import Foundation

/// Issue 14's benchmark: a sleep-bound suite (40 tests of 0.5 s each, split
/// by `EXE_SHARD_INDEX`/`EXE_SHARD_TOTAL`) run by `exe-cli lease run` on one
/// lease and with `--shards 4`, against exe-sim, both one-shot runs
/// (warmup, sync, copies, command, removal all counted), printing the ratio.
/// Expected: 4 shards at most 0.35x one lease.
///
/// Then a warm start by `lease resume` against a fresh `lease warmup`: each
/// round warms up a fresh lease (timed: the `lease warmup` process, which
/// returns once the VM accepts an SSH login and has the tools a run needs),
/// runs a command on it, pauses it, and resumes it (timed: the `lease
/// resume` process, which returns once the VM answers over SSH again), then
/// runs a command on it again to prove it can, and stops it. Both leases
/// have the same settings (it is the same lease). Expected: resume at most
/// 0.5x a fresh warmup (medians).
///
/// exe-sim's `new` answers over SSH at once, so a fresh warmup pays no boot
/// time there, and exe.dev's is not documented beyond "ready for SSH in
/// about a second" (standalone-vms.md). `--boot-seconds S` starts the
/// simulator with `EXE_SIM_LOBBY_WINDOW=S`: a new VM's SSH address is
/// answered by the lobby for S seconds, as exe.dev's is until the VM's route
/// is live, while a resumed VM answers at once (its route stays). The
/// default, 0, measures the client's own cost alone.
///
/// Usage: `swift build -c release && .build/release/shard-benchmark [--tests N] [--shards S] [--runs R] [--resume-runs R] [--skip-shards 1] [--boot-seconds S]`
@main
struct ShardBenchmark {
    static func main() async throws {
        let tests = BenchmarkReport.option("--tests", default: 40)
        let shards = BenchmarkReport.option("--shards", default: 4)
        let runs = max(1, BenchmarkReport.option("--runs", default: 1))
        let resumeRuns = max(1, BenchmarkReport.option("--resume-runs", default: 5))
        let skipShards = BenchmarkReport.option("--skip-shards", default: 0) != 0
        let bootSeconds = BenchmarkReport.option("--boot-seconds", default: 0)

        let scratch = try TemporaryDirectory(prefix: "exe-shard-bench")
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.file(".ssh"), withIntermediateDirectories: true)
        let key = try await SSHKeyPair.generate(type: "ed25519", at: scratch.file(".ssh/id_ed25519"))
        let simulator = try await SimulatorHarness.start(
            authorizedKeys: [key.publicPath], environment: bootSeconds > 0 ? ["EXE_SIM_LOBBY_WINDOW": String(bootSeconds)] : [:])
        print("shard-benchmark: a new VM answers over SSH after \(bootSeconds) s (--boot-seconds)")
        do {
            let bench = try Bench(simulator: simulator, key: key, scratch: scratch, tests: tests)
            if !skipShards { try await bench.measureShards(shards: shards, runs: runs) }
            try await bench.measureResume(runs: resumeRuns)
            try await simulator.stop()
        } catch {
            try? await simulator.stop()
            throw error
        }
    }

    /// The suite: test `i` (1...tests) belongs to shard `(i-1) % total + 1`
    /// and takes 0.5 s.
    static func suite(tests: Int) -> String {
        """
        #!/bin/sh
        index=${EXE_SHARD_INDEX:-1}; total=${EXE_SHARD_TOTAL:-1}; i=1; ran=0
        while [ $i -le \(tests) ]; do
          if [ $(( (i - 1) % total + 1 )) -eq $index ]; then sleep 0.5; ran=$((ran + 1)); fi
          i=$((i + 1))
        done
        echo "shard $index/$total ran $ran tests"

        """
    }

    /// exe-cli in a scratch project against the simulator.
    struct Bench {
        let tree: String
        let cli: String
        let environment: [String: String]

        init(simulator: SimulatorHarness, key: SSHKeyPair, scratch: TemporaryDirectory, tests: Int) throws {
            tree = scratch.file("project")
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            try ShardBenchmark.suite(tests: tests).write(toFile: tree + "/suite.sh", atomically: true, encoding: .utf8)
            cli = (try SimulatorHarness.locateExecutable() as NSString).deletingLastPathComponent + "/exe-cli"
            environment = [
                "HOME": scratch.path, "EXE_CONTROL_HOST": "\(simulator.controlHost):\(simulator.controlPort)",
                "EXE_KNOWN_HOSTS": simulator.knownHostsPath, "EXE_IDENTITY": key.privatePath, "SSH_AUTH_SOCK": "",
                "XDG_STATE_HOME": scratch.file("state"), "XDG_CONFIG_HOME": scratch.file("config"), "XDG_RUNTIME_DIR": scratch.file("run"),
            ]
            self.tests = tests
        }

        let tests: Int

        /// Runs exe-cli; throws unless it exits 0.
        func cli(_ arguments: [String]) async throws -> ProcessOutput {
            let output = try await LocalProcessRunner().run(ProcessInvocation(
                cli, arguments, environment: environment, workingDirectory: tree, timeout: .seconds(600)))
            guard output.status == 0 else {
                throw SimulatorHarnessError(message: "exe-cli \(arguments) exited \(output.status): \(output.stderr)")
            }
            return output
        }

        /// Runs exe-cli, timed.
        func timed(_ arguments: [String]) async throws -> (Duration, ProcessOutput) {
            var output: ProcessOutput?
            let duration = try await ContinuousClock().measure { output = try await cli(arguments) }
            return (duration, output!)
        }

        static func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }

        func measureShards(shards: Int, runs: Int) async throws {
            func lease(_ arguments: [String]) async throws -> Duration {
                try await timed(["lease", "run"] + arguments + ["--", "sh", "suite.sh"]).0
            }
            print("shard-benchmark: \(tests) tests of 0.5 s, one lease against --shards \(shards), one-shot runs against exe-sim, median of \(runs)")
            var single: [Duration] = []
            var sharded: [Duration] = []
            for _ in 0..<runs {
                single.append(try await lease([]))
                sharded.append(try await lease(["--shards", String(shards)]))
            }
            let one = Self.median(single)
            let many = Self.median(sharded)
            let seconds = BenchmarkReport.seconds
            print(String(format: "  one lease                       %8.3f s", seconds(one)))
            print(String(format: "  --shards %-3d (copies included)  %8.3f s   ratio %.2f", shards, seconds(many), seconds(many) / seconds(one)))
            BenchmarkReport.target("\(shards) shards at most 0.35x one lease", ratio: seconds(many) / seconds(one), limit: 0.35)
        }

        /// `lease warmup` of a fresh lease against `lease resume` of the
        /// same lease paused, each until a command can run on it.
        func measureResume(runs: Int) async throws {
            print("shard-benchmark: warm start, `lease resume` of a paused lease against `lease warmup` of a fresh one (same settings), exe-sim, median of \(runs)")
            var warmups: [Duration] = []
            var resumes: [Duration] = []
            var statuses: [Duration] = []
            for _ in 0..<runs {
                let (warmup, warmed) = try await timed(["lease", "warmup", "--json"])
                let object = try JSONSerialization.jsonObject(with: warmed.standardOutput) as? [String: Any]
                guard let id = object?["lease_id"] as? String else {
                    throw SimulatorHarnessError(message: "lease warmup --json gave no lease_id: \(warmed.stdout)")
                }
                do {
                    _ = try await cli(["lease", "run", "--id", id, "--no-sync", "--", "true"])
                    _ = try await cli(["lease", "pause", id])
                    let (resume, resumed) = try await timed(["lease", "resume", id, "--json"])
                    guard resumed.stdout.contains("\"result\":\"resumed\"") else {
                        throw SimulatorHarnessError(message: "lease resume did not resume: \(resumed.stdout)")
                    }
                    // The resumed lease runs a command (not timed: the warmup's row has none either).
                    _ = try await cli(["lease", "run", "--id", id, "--no-sync", "--", "true"])
                    // The fixed cost both share: exe-cli's start, the control login, one `ls`.
                    statuses.append(try await timed(["lease", "list"]).0)
                    warmups.append(warmup)
                    resumes.append(resume)
                    _ = try await cli(["lease", "stop", id])
                } catch {
                    _ = try? await cli(["lease", "stop", id])
                    throw error
                }
            }
            let seconds = BenchmarkReport.seconds
            let fresh = Self.median(warmups)
            let resumed = Self.median(resumes)
            let list = { (values: [Duration]) in values.map { String(format: "%.3f", seconds($0)) }.joined(separator: " ") }
            print(String(format: "  lease warmup (fresh lease)      %8.3f s   runs: %@", seconds(fresh), list(warmups)))
            print(String(format: "  lease resume (paused lease)     %8.3f s   runs: %@   ratio %.2f", seconds(resumed), list(resumes), seconds(resumed) / seconds(fresh)))
            BenchmarkReport.target("resume at most 0.5x a fresh warmup", ratio: seconds(resumed) / seconds(fresh), limit: 0.5)
            let fixed = Self.median(statuses)
            print(String(format: "  lease list (fixed cost: exe-cli start, control login, one ls)  %8.3f s", seconds(fixed)))
            print(String(
                format: "  beyond that fixed cost: warmup %.3f s, resume %.3f s, ratio %.2f", seconds(fresh - fixed), seconds(resumed - fixed),
                seconds(resumed - fixed) / seconds(fresh - fixed)))
        }
    }
}
