import ExeControl
import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation

/// Compares ExeLease with what users run today, against a VM of the local
/// exe.dev (`exe-sim`), in one run:
///
/// - syncing a generated tree (5,000 files, about 60 MB): initial sync, a
///   no-op resync, and a change to 10 files, through `WorkTreeSync` and
///   through `rsync -az -e ssh` (plain, and over an OpenSSH ControlMaster);
/// - a warm `exe-cli lease run -- true` against the equivalent
///   `ssh` + `rsync` + `ssh` sequence.
///
/// Usage: `swift build -c release && .build/release/sync-benchmark [--files N] [--megabytes M] [--runs R]`
@main
struct SyncBenchmark {
    static func main() async throws {
        let fileCount = BenchmarkReport.option("--files", default: 5000)
        let megabytes = BenchmarkReport.option("--megabytes", default: 60)
        let runs = BenchmarkReport.option("--runs", default: 5)

        let scratch = try TemporaryDirectory(prefix: "exe-sync-bench")
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.file(".ssh"), withIntermediateDirectories: true)
        let key = try await SSHKeyPair.generate(type: "ed25519", at: scratch.file(".ssh/id_ed25519"))
        let simulator = try await SimulatorHarness.start(authorizedKeys: [key.publicPath])
        do {
            try await measure(simulator: simulator, key: key, scratch: scratch, fileCount: fileCount, megabytes: megabytes, runs: runs)
            try await simulator.stop()
        } catch {
            try? await simulator.stop()
            throw error
        }
    }

    static func measure(simulator: SimulatorHarness, key: SSHKeyPair, scratch: TemporaryDirectory, fileCount: Int, megabytes: Int, runs: Int) async throws {
        let tree = scratch.file("tree")
        let runner = LocalProcessRunner()
        try await runner.check(ProcessInvocation("git", ["init", "-q", tree]))
        let bytes = try generateTree(at: tree, files: fileCount, totalBytes: megabytes << 20)
        try await runner.check(ProcessInvocation("git", ["-C", tree, "add", "."]))

        // A lease through exe-cli, as a user would make one.
        let cli = (try SimulatorHarness.locateExecutable() as NSString).deletingLastPathComponent + "/exe-cli"
        let environment = [
            "HOME": scratch.path, "EXE_CONTROL_HOST": "\(simulator.controlHost):\(simulator.controlPort)",
            "EXE_KNOWN_HOSTS": simulator.knownHostsPath, "EXE_IDENTITY": key.privatePath, "SSH_AUTH_SOCK": "",
            "XDG_STATE_HOME": scratch.file("state"), "XDG_CONFIG_HOME": scratch.file("config"),
        ]
        try await runner.check(ProcessInvocation(cli, ["lease", "warmup", "--slug", "bench"], environment: environment, workingDirectory: tree, timeout: .seconds(300)))
        let claim = try requireClaim(LeaseClaimStore(directory: scratch.file("state/exe/leases")).all().claims.first)
        print("sync-benchmark: \(fileCount) files, \(bytes >> 20) MiB, to exe-sim VM \(claim.vmName) at \(claim.sshHost):\(claim.sshPort)")

        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: scratch.path, userName: claim.sshUser, agentSocket: nil)
        configuration.identityFiles = [key.privatePath]
        configuration.useDefaultIdentities = false
        configuration.useAgent = false
        configuration.knownHostsFiles = [simulator.knownHostsPath]
        let destination = SSHDestination(host: claim.sshHost, port: claim.sshPort, user: claim.sshUser)
        let target = "\(claim.sshUser)@\(claim.sshHost)"
        let ssh = "ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=\(simulator.knownHostsPath) -o LogLevel=ERROR -i \(key.privatePath) -p \(claim.sshPort)"
        let sshMux = ssh + " -o ControlMaster=auto -o ControlPath=\(scratch.file("cm-%C")) -o ControlPersist=60"
        let clock = ContinuousClock()

        func rsync(_ shell: String, to directory: String) async throws -> Duration {
            try await clock.measure {
                try await runner.check(ProcessInvocation("rsync", ["-az", "--delete", "-e", shell, tree + "/", "\(target):\(directory)/"], timeout: .seconds(600)))
            }
        }
        var connection: SSHConnection?
        let options = SyncOptions(cacheDirectory: scratch.file("cache"))
        func exe() async throws -> (Duration, SyncReport) {
            var report: SyncReport?
            let time = try await clock.measure {
                if connection == nil { connection = try await SSHConnection.connect(to: destination, configuration: configuration) }
                report = try await WorkTreeSync(connection: connection!, localRoot: tree, remoteDirectory: "/tmp/bench/exe/tree").run(options)
            }
            return (time, report!)
        }

        var rows: [(String, Duration, Duration, Duration)] = []
        let (exeInitial, initialReport) = try await exe()
        let rsyncInitial = try await rsync(ssh, to: "/tmp/bench/rsync-plain")
        let muxInitial = try await rsync(sshMux, to: "/tmp/bench/rsync-mux")
        rows.append(("initial sync", exeInitial, rsyncInitial, muxInitial))

        let (exeNoop, noopReport) = try await exe()
        let rsyncNoop = try await rsync(ssh, to: "/tmp/bench/rsync-plain")
        let muxNoop = try await rsync(sshMux, to: "/tmp/bench/rsync-mux")
        rows.append(("no-op resync", exeNoop, rsyncNoop, muxNoop))

        try touchFiles(in: tree, count: 10)
        let (exeChange, changeReport) = try await exe()
        let rsyncChange = try await rsync(ssh, to: "/tmp/bench/rsync-plain")
        let muxChange = try await rsync(sshMux, to: "/tmp/bench/rsync-mux")
        rows.append(("10 files changed", exeChange, rsyncChange, muxChange))
        await connection?.close()

        // A warm `lease run -- true` (a new exe-cli process each time, as a
        // user runs it) against ssh mkdir + rsync + ssh command.
        _ = try await runner.check(ProcessInvocation(cli, ["lease", "run", "--id", "bench", "--", "true"], environment: environment, workingDirectory: tree, timeout: .seconds(600)))
        let remoteDirectory = "/tmp/bench/manual/tree"
        func manual(_ shell: String) async throws -> Duration {
            try await clock.measure {
                let words = shell.split(separator: " ").map(String.init)
                try await runner.check(ProcessInvocation(words[0], Array(words.dropFirst()) + [target, "mkdir -p \(remoteDirectory)"]))
                try await runner.check(ProcessInvocation("rsync", ["-az", "--delete", "-e", shell, tree + "/", "\(target):\(remoteDirectory)/"]))
                try await runner.check(ProcessInvocation(words[0], Array(words.dropFirst()) + [target, "cd \(remoteDirectory) && true"]))
            }
        }
        _ = try await manual(ssh)
        var leaseTimes: [Duration] = []
        var manualTimes: [Duration] = []
        var muxTimes: [Duration] = []
        for _ in 0..<runs {
            leaseTimes.append(try await clock.measure {
                try await runner.check(ProcessInvocation(cli, ["lease", "run", "--id", "bench", "--", "true"], environment: environment, workingDirectory: tree, timeout: .seconds(600)))
            })
            manualTimes.append(try await manual(ssh))
            muxTimes.append(try await manual(sshMux))
        }
        _ = try? await runner.run(ProcessInvocation("sh", ["-c", sshMux + " -O exit \(target) 2>/dev/null"]))
        _ = try? await runner.run(ProcessInvocation(cli, ["lease", "stop", "bench"], environment: environment, workingDirectory: tree, timeout: .seconds(120)))

        let seconds = BenchmarkReport.seconds
        func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }
        print("  scenario            ExeLease    rsync -e ssh   ratio    rsync+ControlMaster   ratio   (ratio = ExeLease time / other time)")
        for (name, exeTime, plain, mux) in rows {
            print(
                name.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + String(format: "  %8.3f s  %10.3f s   %5.2f   %12.3f s        %5.2f", seconds(exeTime), seconds(plain), seconds(exeTime) / seconds(plain), seconds(mux), seconds(exeTime) / seconds(mux)))
        }
        let lease = median(leaseTimes)
        let plain = median(manualTimes)
        let mux = median(muxTimes)
        print(String(format: "  warm run, median of %d: exe-cli lease run -- true %.3f s; ssh+rsync+ssh %.3f s (ratio %.2f); with ControlMaster %.3f s (ratio %.2f)", runs, seconds(lease), seconds(plain), seconds(lease) / seconds(plain), seconds(mux), seconds(lease) / seconds(mux)))
        let rsyncRatio = { (name: String) -> Double in
            let row = rows.first { $0.0 == name }!
            return seconds(row.1) / seconds(row.2)
        }
        BenchmarkReport.target("no-op resync at most half of rsync", ratio: rsyncRatio("no-op resync"), limit: 0.5)
        BenchmarkReport.target("10-file change no slower than rsync", ratio: rsyncRatio("10 files changed"), limit: 1)
        BenchmarkReport.target("initial sync within 1.2x of rsync", ratio: rsyncRatio("initial sync"), limit: 1.2)
        print("  ExeLease phases (ms): initial \(initialReport.phases), no-op \(noopReport.phases), change \(changeReport.phases)")
        print("  ExeLease sent: initial \(initialReport.bytesSent >> 10) KiB (\(initialReport.filesSent) files), no-op \(noopReport.bytesSent) B, change \(changeReport.bytesSent >> 10) KiB (\(changeReport.filesSent) files)")
    }

    /// Writes `files` text-like files (source-code-ish, compressible) in nested directories.
    static func generateTree(at root: String, files: Int, totalBytes: Int) throws -> Int {
        let words = ["let", "var", "func", "return", "struct", "import", "if", "else", "for", "in", "self", "value", "count", "name", "path", "result", "error", "try", "await", "async"]
        var generator = SystemRandomNumberGenerator()
        var written = 0
        let average = totalBytes / files
        for index in 0..<files {
            let directory = "\(root)/module\(index % 40)/group\(index % 7)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let size = index % 100 == 0 ? average * 20 : Int.random(in: average / 4...average * 3 / 2, using: &generator)
            var text = ""
            text.reserveCapacity(size + 64)
            while text.utf8.count < size {
                text += words.randomElement(using: &generator)! + (Bool.random(using: &generator) ? " " : "\n") + String(UInt32.random(in: 0...99999, using: &generator)) + " "
            }
            try text.write(toFile: "\(directory)/file\(index).swift", atomically: false, encoding: .utf8)
            written += text.utf8.count
        }
        return written
    }

    static func touchFiles(in root: String, count: Int) throws {
        for index in 0..<count {
            let path = "\(root)/module\((index * 37) % 40)/group\((index * 37) % 7)/file\(index * 37).swift"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("// changed \(index)\n".utf8))
            try handle.close()
        }
    }
}

/// `#require` outside a test: the value, or a clear failure.
func requireClaim(_ claim: LeaseClaim?) throws -> LeaseClaim {
    guard let claim else { throw SimulatorHarnessError(message: "exe-cli lease warmup made no claim") }
    return claim
}
