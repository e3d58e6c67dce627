import ExeSystem
import ExeTestSupport
import Foundation

/// `exe-cli` one process per call, with and without its connection holder,
/// against OpenSSH, over a real round-trip time: exe-sim's control host
/// behind a ``DelayProxy`` that delays each direction by `--delay-ms`
/// (default 15 ms, so 30 ms RTT). Prints medians and ratios to exe-cli:
///
/// - `exe-cli vm ls --json`: the first call (no holder running: it starts
///   one) and warm calls (through the held connection);
/// - `ssh host ls --json` per call, and with ControlMaster/ControlPersist warm;
/// - round trips on one fresh connect + exec, ExeSSH (`--no-persist`) and
///   OpenSSH, counted by the proxy as turns of traffic direction.
///
/// Usage: `swift build -c release && .build/release/holder-benchmark [--runs N] [--delay-ms D]`
@main
struct HolderBenchmark {
    static func main() async throws {
        let runs = BenchmarkReport.option("--runs", default: 11)
        let delay = Duration.milliseconds(BenchmarkReport.option("--delay-ms", default: 15))
        let scratch = try TemporaryDirectory(prefix: "exe-holder-bench")
        defer { scratch.remove() }
        chmod(scratch.path, 0o700)
        let key = try await SSHKeyPair.generate(type: "ed25519", at: scratch.file("id_bench"))
        let simulator = try await SimulatorHarness.start(authorizedKeys: [key.publicPath])
        let proxy = DelayProxy(upstreamPort: simulator.controlPort, delay: delay)
        do {
            try await measure(simulator: simulator, proxy: proxy, key: key, scratch: scratch, runs: runs, delay: delay)
            stopHolders(scratch)
            proxy.stop()
            try await simulator.stop()
        } catch {
            stopHolders(scratch)
            proxy.stop()
            try? await simulator.stop()
            throw error
        }
    }

    static func measure(simulator: SimulatorHarness, proxy: DelayProxy, key: SSHKeyPair, scratch: TemporaryDirectory, runs: Int, delay: Duration) async throws {
        let runner = LocalProcessRunner()
        let cli = (try SimulatorHarness.locateExecutable() as NSString).deletingLastPathComponent + "/exe-cli"
        let original = try String(contentsOfFile: simulator.knownHostsPath, encoding: .utf8)
        let knownHosts = try scratch.write(
            "known_hosts",
            original.replacingOccurrences(of: "[127.0.0.1]:\(simulator.controlPort) ", with: "[127.0.0.1]:\(proxy.port) "), mode: 0o600)
        let environment = [
            "HOME": scratch.path, "EXE_CONTROL_HOST": "127.0.0.1:\(proxy.port)", "EXE_KNOWN_HOSTS": knownHosts,
            "EXE_IDENTITY": key.privatePath, "SSH_AUTH_SOCK": "", "XDG_STATE_HOME": scratch.file("state"),
            "XDG_RUNTIME_DIR": scratch.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let ssh = [
            "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)",
            "-o", "LogLevel=ERROR", "-i", key.privatePath, "-p", String(proxy.port), "\(simulator.user)@127.0.0.1",
        ]
        let mux = ["-o", "ControlMaster=auto", "-o", "ControlPath=\(scratch.file("cm-%C"))", "-o", "ControlPersist=60"]
        let clock = ContinuousClock()

        func time(_ executable: String, _ arguments: [String]) async throws -> Duration {
            try await clock.measure {
                try await runner.check(ProcessInvocation(executable, arguments, environment: environment, timeout: .seconds(120)))
            }
        }
        func median(_ times: [Duration]) -> Duration { times.sorted()[times.count / 2] }

        print("holder-benchmark: exe-sim control host behind a proxy delaying each direction by \(delay) (RTT \(delay * 2)), median of \(runs)")

        // Round trips of one fresh connect + exec.
        var before = proxy.connectionsAccepted
        _ = try await time(cli, ["vm", "ls", "--json", "--no-persist"])
        let exeFlights = proxy.flightsPerConnection[before]
        before = proxy.connectionsAccepted
        _ = try await time("ssh", ssh + ["ls", "--json"])
        let sshFlights = proxy.flightsPerConnection[before]
        print("  direction turns on one fresh connect + exec: ExeSSH \(exeFlights), OpenSSH \(sshFlights)")

        var first: [Duration] = []
        var direct: [Duration] = []
        for _ in 0..<runs {
            stopHolders(scratch)
            first.append(try await time(cli, ["vm", "ls", "--json"]))
            direct.append(try await time(cli, ["vm", "ls", "--json", "--no-persist"]))
        }
        var warm: [Duration] = []
        for _ in 0..<runs { warm.append(try await time(cli, ["vm", "ls", "--json"])) }
        var plain: [Duration] = []
        for _ in 0..<runs { plain.append(try await time("ssh", ssh + ["ls", "--json"])) }
        _ = try await time("ssh", mux + ssh + ["ls", "--json"])
        var persisted: [Duration] = []
        for _ in 0..<runs { persisted.append(try await time("ssh", mux + ssh + ["ls", "--json"])) }
        _ = try? await runner.run(ProcessInvocation("ssh", mux + ["-O", "exit"] + ssh, environment: environment))

        let warmMedian = median(warm)
        func row(_ name: String, _ value: Duration) {
            print(String(
                format: "  %@ %8.1f ms  %5.2fx exe-cli warm", name.padding(toLength: 52, withPad: " ", startingAt: 0),
                BenchmarkReport.seconds(value) * 1000, BenchmarkReport.seconds(value) / BenchmarkReport.seconds(warmMedian)))
        }
        row("exe-cli vm ls --json, warm (held connection)", warmMedian)
        row("exe-cli vm ls --json, first call (starts the holder)", median(first))
        row("exe-cli vm ls --json --no-persist", median(direct))
        row("ssh ls --json, per call", median(plain))
        row("ssh ls --json, ControlMaster + ControlPersist warm", median(persisted))
        let seconds = BenchmarkReport.seconds
        BenchmarkReport.target("warm exe-cli <= 1.0x ControlPersist", ratio: seconds(warmMedian) / seconds(median(persisted)), limit: 1.0)
        BenchmarkReport.target("first exe-cli call <= 1.0x plain ssh", ratio: seconds(median(first)) / seconds(median(plain)), limit: 1.0)
    }

    /// Ends holders serving `scratch`, by pid.
    static func stopHolders(_ scratch: TemporaryDirectory) { ConnectionHolderProcesses.stop(under: scratch.path) }
}
