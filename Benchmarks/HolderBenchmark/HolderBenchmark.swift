import ExeLease
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
///   OpenSSH, counted by the proxy as turns of traffic direction;
/// - a warm `exe-cli lease run --id LEASE -- true` (one process per call,
///   the holder on) in a small git work tree (a few files, unchanged between
///   runs) against what a Crabbox-style script runs per run over a warm
///   OpenSSH ControlMaster to the same VM, with Crabbox's exe-dev options
///   (`ControlMaster=auto`, `ControlPersist=10m`, `BatchMode=yes`, ...):
///   `ssh -n VM 'mkdir -p DIR'`, `rsync -az --delete --exclude=.git -e 'ssh
///   OPTIONS' ./ VM:DIR/`, and `ssh -n VM "cd DIR && ENV bash -lc 'cd DIR &&
///   exec \"$@\"' bash true"` (Crabbox's `remoteCommandWithEnvFiles`).
///   Crabbox itself does more per run (a readiness `ssh`, the workspace
///   owner lock, the sync fingerprint, the manifest, the fingerprint
///   invalidation), so this sequence is the least it runs. The VM's sshd
///   sits behind a second ``DelayProxy`` with the same delay: the lease's
///   claim is pointed at that proxy after `lease warmup` (the claim
///   records where SSH reaches the VM), and OpenSSH connects to it too.
///
/// Usage: `swift build -c release && .build/release/holder-benchmark [--runs N] [--delay-ms D] [--lease-only]`
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
            "XDG_RUNTIME_DIR": scratch.path, "XDG_CONFIG_HOME": scratch.file("config"), "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
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
        if leaseOnly {
            let leaseRun = try await measureLeaseRun(
                cli: cli, environment: environment, controlKnownHostsName: "[127.0.0.1]:\(proxy.port)", knownHosts: knownHosts, key: key,
                scratch: scratch, runs: runs, delay: delay)
            printLeaseRows(leaseRun)
            return
        }

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

        let leaseRun = try await measureLeaseRun(
            cli: cli, environment: environment, controlKnownHostsName: "[127.0.0.1]:\(proxy.port)", knownHosts: knownHosts, key: key,
            scratch: scratch, runs: runs, delay: delay)

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
        printLeaseRows(leaseRun)
    }

    /// `--lease-only`: measure only the lease row.
    static var leaseOnly: Bool { CommandLine.arguments.contains("--lease-only") }

    /// The lease rows, as ratios to the warm `lease run`, and their target.
    static func printLeaseRows(_ leaseRun: (lease: Duration, sequence: Duration)) {
        let seconds = BenchmarkReport.seconds
        func leaseRow(_ name: String, _ value: Duration) {
            print(String(
                format: "  %@ %8.1f ms  %5.2fx exe-cli lease run warm", name.padding(toLength: 52, withPad: " ", startingAt: 0),
                seconds(value) * 1000, seconds(value) / seconds(leaseRun.lease)))
        }
        leaseRow("exe-cli lease run -- true, warm (held connection)", leaseRun.lease)
        leaseRow("ssh mkdir + rsync + ssh cmd, ControlMaster warm", leaseRun.sequence)
        BenchmarkReport.target(
            "warm lease run <= 1.0x the ControlMaster sequence", ratio: seconds(leaseRun.lease) / seconds(leaseRun.sequence), limit: 1.0)
    }

    /// Medians of a warm `exe-cli lease run -- true` and of the OpenSSH
    /// sequence a Crabbox-style script runs per run over a warm
    /// ControlMaster, both to one VM whose sshd is behind a ``DelayProxy``.
    static func measureLeaseRun(
        cli: String, environment: [String: String], controlKnownHostsName: String, knownHosts: String, key: SSHKeyPair,
        scratch: TemporaryDirectory, runs: Int, delay: Duration
    ) async throws -> (lease: Duration, sequence: Duration) {
        let runner = LocalProcessRunner()
        let clock = ContinuousClock()
        func median(_ times: [Duration]) -> Duration { times.sorted()[times.count / 2] }

        // A small git work tree, as a repository checkout.
        let tree = scratch.file("tree")
        try await runner.check(ProcessInvocation("git", ["init", "-q", tree]))
        try FileManager.default.createDirectory(atPath: tree + "/Sources", withIntermediateDirectories: true)
        for index in 0..<8 {
            try String(repeating: "let value\(index) = \(index)\n", count: 40).write(toFile: "\(tree)/Sources/file\(index).swift", atomically: false, encoding: .utf8)
        }
        try "# bench\n".write(toFile: tree + "/README.md", atomically: false, encoding: .utf8)
        try await runner.check(ProcessInvocation("git", ["-C", tree, "add", "."]))

        func exe(_ arguments: [String]) -> ProcessInvocation {
            ProcessInvocation(cli, arguments, environment: environment, workingDirectory: tree, timeout: .seconds(300))
        }
        try await runner.check(exe(["lease", "warmup", "--slug", "holder-bench"]))
        let store = LeaseClaimStore(directory: scratch.file("state/exe/leases"))
        guard let claim = store.all().claims.first else { throw SimulatorHarnessError(message: "exe-cli lease warmup made no claim") }
        // The VM's sshd behind its own delay: the claim records where SSH
        // reaches the VM, so point it at the proxy.
        let vmProxy = DelayProxy(upstreamPort: claim.sshPort, delay: delay)
        defer { vmProxy.stop() }
        _ = try store.update(claim.identity.id) { $0.sshPort = vmProxy.port }

        let directory = "/tmp/crabbox/\(claim.identity.id)/tree"
        let options = [
            "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)",
            "-o", "HostKeyAlias=\(controlKnownHostsName)", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-i", key.privatePath,
            "-o", "ConnectTimeout=10", "-o", "ConnectionAttempts=3", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=2",
            "-o", "ForwardAgent=no", "-o", "ForwardX11=no",
            "-o", "ControlMaster=auto", "-o", "ControlPersist=10m", "-o", "ControlPath=\(scratch.file("cbx-%C"))", "-p", String(vmProxy.port),
        ]
        let target = "\(claim.sshUser)@\(claim.sshHost)"
        let quotedDirectory = ShellQuote.word(directory)
        let command =
            "cd \(quotedDirectory) && CRABBOX_LEASE_ID=\(ShellQuote.word(claim.identity.id)) CRABBOX_RUN_ID='run_000000000000' "
            + "bash -lc \(ShellQuote.word("cd \(quotedDirectory) && exec \"$@\"")) bash true"
        func sequence() async throws -> Duration {
            try await clock.measure {
                try await runner.check(ProcessInvocation("ssh", ["-n"] + options + [target, "mkdir -p \(quotedDirectory)"], environment: environment))
                try await runner.check(ProcessInvocation(
                    "rsync", ["-az", "--delete", "--exclude=.git", "-e", (["ssh"] + options).joined(separator: " "), tree + "/", "\(target):\(directory)/"],
                    environment: environment, timeout: .seconds(120)))
                try await runner.check(ProcessInvocation("ssh", ["-n"] + options + [target, command], environment: environment))
            }
        }

        // Warm both: the held connection to the VM (through its proxy) and
        // the synced tree; the ControlMaster and its rsync'd copy.
        try await runner.check(exe(["lease", "run", "--id", claim.identity.id, "--", "true"]))
        _ = try await sequence()
        var leaseTimes: [Duration] = []
        var sequenceTimes: [Duration] = []
        var phases: [String: [Int]] = [:]
        let timingFile = scratch.file("timing.json")
        var newConnections = (lease: 0, sequence: 0)
        for _ in 0..<runs {
            var before = vmProxy.connectionsAccepted
            leaseTimes.append(try await clock.measure {
                try await runner.check(exe(["lease", "run", "--id", claim.identity.id, "--timing-json", timingFile, "--", "true"]))
            })
            newConnections.lease += vmProxy.connectionsAccepted - before
            before = vmProxy.connectionsAccepted
            sequenceTimes.append(try await sequence())
            newConnections.sequence += vmProxy.connectionsAccepted - before
            // Where exe-cli's time goes: its own timing record.
            if let data = FileManager.default.contents(atPath: timingFile),
                let record = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                for key in ["sync_milliseconds", "command_milliseconds", "total_milliseconds"] {
                    if let value = record[key] as? Int { phases[key, default: []].append(value) }
                }
            }
        }
        let phaseText = ["sync_milliseconds", "command_milliseconds", "total_milliseconds"].map { key in
            "\(key.replacingOccurrences(of: "_milliseconds", with: "")) \(phases[key].map { $0.sorted()[$0.count / 2] }.map(String.init) ?? "-")"
        }
        print("  new TCP connections to the VM during the timed runs: exe-cli \(newConnections.lease), OpenSSH sequence \(newConnections.sequence) (0 and 0: both warm)")
        print("  exe-cli lease run phases (median ms, from --timing-json; the rest of the wall time is process start and exit): \(phaseText.joined(separator: ", "))")
        _ = try? await runner.run(ProcessInvocation("ssh", options + ["-O", "exit", target], environment: environment))
        _ = try? await runner.run(exe(["lease", "stop", claim.identity.id]))
        return (median(leaseTimes), median(sequenceTimes))
    }

    /// Ends holders serving `scratch`, by pid.
    static func stopHolders(_ scratch: TemporaryDirectory) { ConnectionHolderProcesses.stop(under: scratch.path) }
}
