import ExeControl
import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Testing

/// A simulator, a registered key, a git repository and a claim store: what
/// lease tests need, built and torn down per test.
struct LeaseTestBed {
    let simulator: SimulatorHarness
    let key: SSHKeyPair
    let home: TemporaryDirectory
    let repository: String
    let claims: LeaseClaimStore

    static func start(simulatorEnvironment: [String: String] = [:]) async throws -> LeaseTestBed {
        let home = try TemporaryDirectory(prefix: "exe-lease-e2e")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let key = try await SSHKeyPair.generate(type: "ed25519", at: home.file(".ssh/id_ed25519"))
        let simulator = try await SimulatorHarness.start(authorizedKeys: [key.publicPath], environment: simulatorEnvironment)
        let repository = try await home.gitRepository("repo", files: [
            "README.md": "# lease test\n", "src/main.sh": "echo main\n", "data/blob.txt": String(repeating: "lease ", count: 20_000),
        ])
        return LeaseTestBed(simulator: simulator, key: key, home: home, repository: repository, claims: LeaseClaimStore(directory: home.file("state/leases")))
    }

    func stop() async {
        ConnectionHolderProcesses.stop(under: home.path)
        try? await simulator.stop()
        home.remove()
    }

    var sshEnvironment: SSHEnvironment { SSHEnvironment(homeDirectory: home.path, userName: simulator.user, agentSocket: nil) }

    func sshConfiguration(identity: String? = nil) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = sshEnvironment
        configuration.identityFiles = [identity ?? key.privatePath]
        configuration.useDefaultIdentities = false
        configuration.useAgent = false
        configuration.knownHostsFiles = [simulator.knownHostsPath]
        // VMs present the control plane's key (as exe.dev's do): check it
        // under the control host's name, as exe-cli does.
        configuration.hostKeyAlias = simulator.controlKnownHostsName
        configuration.warningHandler = { _ in }
        return configuration
    }

    func control() -> ControlClient {
        ControlClient(transport: SSHControlTransport(configuration: .init(
            destination: SSHDestination(host: simulator.controlHost, port: simulator.controlPort, user: simulator.user),
            ssh: sshConfiguration())))
    }

    func leases(repository: String? = nil, ttl: String? = nil, vmIdentity: String? = nil, readiness: Duration = .seconds(120)) throws -> Leases {
        var overrides = LeaseSettings.Overrides()
        overrides.controlHost = "\(simulator.controlHost):\(simulator.controlPort)"
        overrides.ttl = try ttl.map { try LeaseDuration.parse($0, setting: "ttl") }
        overrides.workRoot = "/tmp/exe"
        let settings = try LeaseSettings.resolve(overrides: overrides, repositoryRoot: repository ?? self.repository, environment: ["HOME": home.path]).value
        let configuration = sshConfiguration(identity: vmIdentity)
        return Leases(context: LeaseContext(
            control: control(), controlHost: overrides.controlHost!, claims: claims, settings: settings,
            vmConfiguration: { _ in configuration }, defaultUser: simulator.user, repositoryRoot: repository ?? self.repository,
            readinessTimeout: readiness))
    }

    /// The environment `exe-cli` needs to reach this simulator (as `eval "$(exe-sim up)"` would set).
    var cliEnvironment: [String: String] {
        [
            "HOME": home.path, "EXE_CONTROL_HOST": "\(simulator.controlHost):\(simulator.controlPort)",
            "EXE_KNOWN_HOSTS": simulator.knownHostsPath, "EXE_IDENTITY": key.privatePath, "SSH_AUTH_SOCK": "",
            "XDG_STATE_HOME": home.file("state-root"), "XDG_CONFIG_HOME": home.file("config"), "XDG_RUNTIME_DIR": home.file("run"),
        ]
    }

    /// The built `exe-cli` (``BuiltProduct``).
    static func cliExecutable() throws -> String {
        try #require(BuiltProduct.path("exe-cli"), "exe-cli is not built")
    }
}

/// Runs `body` with a fresh test bed and always stops its simulator
/// afterwards, in a ``SimulatorGate`` turn of `load`.
func withLeaseTestBed(load: SimulatorGate.Load = .busy, _ body: (LeaseTestBed) async throws -> Void) async throws {
    try await SimulatorGate.withTurn(
        label: Test.current?.name ?? "lease test", load: load, start: { try await LeaseTestBed.start() }, stop: { await $0.stop() }, body)
}

func collectOutput(_ sink: OutputCollector) -> @Sendable (CommandOutputEvent) -> Void {
    { event in sink.append(event) }
}

final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func append(_ event: CommandOutputEvent) {
        lock.withLock {
            switch event {
            case .stdout(let data): out.append(data)
            case .stderr(let data): err.append(data)
            case .exit: break
            }
        }
    }
    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
}

/// Each test has a simulator of its own (``withLeaseTestBed(_:)``), so they
/// run side by side as ``SimulatorGate`` allows.
@Suite("Leases against exe-sim")
struct LeaseEndToEndTests {
    @Test("warmup, run (exit code passes through), incremental sync, stop, stop again, list")
    func lifecycle() async throws {
        try await withLeaseTestBed { bed in
        let leases = try bed.leases()
        let claim = try await leases.warmup(WarmupRequest(slug: "Life Cycle!"))
        #expect(claim.identity.slug == "life-cycle")
        #expect(claim.state == .ready)
        let vm = try #require(try await bed.control().vm(named: claim.vmName))
        #expect(vm.tags.contains(LeaseTags.owner))
        #expect(vm.tags.contains(LeaseTags.id(claim.identity.id)))
        #expect(vm.tags.contains { $0.hasPrefix("exe-lease-expires-") })

        let first = OutputCollector()
        var request = LeaseRunRequest(lease: claim.identity.slug, arguments: ["sh", "-c", "cat README.md; ls src; echo \"$EXE_LEASE_ID $EXE_LEASE_SLUG $EXE_RUN_ID\"; exit 3"])
        let result = try await leases.run(request, output: collectOutput(first))
        let (status, timing) = (result.status, result.timing)
        #expect(status == .exited(3))
        #expect(timing.exitCode == 3)
        #expect(first.stdout == "# lease test\nmain.sh\n\(claim.identity.id) life-cycle \(timing.runID)\n")
        #expect(timing.filesChanged == 3)

        try bed.home.write("repo/README.md", "# changed\n")
        try bed.home.write("repo/src/new.sh", "echo new\n")
        try FileManager.default.removeItem(atPath: bed.repository + "/src/main.sh")
        let second = OutputCollector()
        request.arguments = ["sh", "-c", "cat README.md; ls src"]
        let secondTiming = try await leases.run(request, output: collectOutput(second)).timing
        #expect(second.stdout == "# changed\nnew.sh\n")
        #expect(secondTiming.filesChanged == 3)
        #expect(secondTiming.bytesSent < 2_000, "only the changed files travel: \(secondTiming.bytesSent) bytes")

        request.arguments = ["true"]
        let third = try await leases.run(request, output: { _ in }).timing
        #expect(third.syncUpToDate)
        #expect(third.bytesSent == 0)

        // Ctrl-C before the command starts (here: already pressed) runs nothing.
        let pressed = RunInterrupt()
        pressed.fire()
        let early = try await leases.run(
            LeaseRunRequest(lease: claim.identity.id, arguments: ["sh", "-c", "touch /tmp/ran-anyway"]), interrupt: pressed, output: { _ in })
        let (none, interrupted) = (early.status, early.timing)
        #expect(none == nil)
        #expect(interrupted.interrupted && interrupted.exitCode == 130)
        let probe = OutputCollector()
        request.arguments = ["sh", "-c", "test -e /tmp/ran-anyway && echo ran || echo not-run"]
        _ = try await leases.run(request, output: collectOutput(probe))
        #expect(probe.stdout == "not-run\n")

        let stopped = try await leases.stop([claim.identity.id])
        #expect(stopped.map(\.result) == [.stopped])
        #expect(try await bed.control().vm(named: claim.vmName) == nil)
        #expect(try bed.claims.load(claim.identity.id) == nil)
        let again = try await leases.stop([claim.identity.id])
        #expect(again.map(\.result) == [.alreadyGone])
        #expect(try await leases.list(all: true).isEmpty)
        }
    }

    @Test("a VM deleted behind the lease's back: stop still succeeds and removes the claim")
    func stopWhenGone() async throws {
        try await withLeaseTestBed { bed in
        let leases = try bed.leases()
        let claim = try await leases.warmup(WarmupRequest())
        try await bed.control().remove(claim.vmName)
        let listed = try await leases.list()
        #expect(listed.first?.vmExists == false)

        // The same claim, had it been made through another control host, is
        // not this one's to judge: stop refuses, gc and list leave it alone.
        _ = try bed.claims.update(claim.identity.id) { $0.controlHost = "exe.dev" }
        let refused = await #expect(throws: LeaseError.self) { try await leases.stop([claim.identity.id]) }
        #expect(refused?.kind == .claim)
        #expect(refused?.message.contains("--control-host exe.dev") == true)
        #expect(try await leases.collectExpired(dryRun: false).isEmpty)
        #expect(try await leases.list(all: true).isEmpty)
        #expect(try bed.claims.load(claim.identity.id) != nil)
        _ = try bed.claims.update(claim.identity.id) { $0.controlHost = leases.context.controlHost }

        // Several leases at once: one unknown name does not stop the others.
        let mixed = await #expect(throws: LeaseError.self) { try await leases.stop(["no-such-lease", claim.identity.slug]) }
        #expect(mixed?.kind == .notFound)
        #expect(mixed?.message.hasPrefix("already-gone \(claim.identity.id); failed: no-such-lease: ") == true, "\(String(describing: mixed))")
        #expect(try bed.claims.load(claim.identity.id) == nil)
        }
    }

    @Test("gc stops a lease past its TTL, from the VM's tags")
    func garbageCollection() async throws {
        try await withLeaseTestBed { bed in
        let short = try bed.leases(ttl: "1s")
        let expired = try await short.warmup(WarmupRequest(slug: "short"))
        let long = try bed.leases()
        let kept = try await long.warmup(WarmupRequest(slug: "long"))
        // Two seconds later, without waiting for them: the 1s TTL is past.
        let later = ManualClock()
        later.advance(by: .seconds(2))
        var longLater = long.context
        longLater.clock = later.clock
        // Another machine (no claims here) sees the expiry in the tags.
        let elsewhere = LeaseClaimStore(directory: bed.home.file("elsewhere"))
        var context = longLater
        context.claims = elsewhere
        let dry = try await Leases(context: context).collectExpired(dryRun: true)
        #expect(dry.map(\.vmName) == [expired.vmName])
        #expect(dry.map(\.action) == [.wouldStop])
        #expect(try await bed.control().vm(named: expired.vmName) != nil)
        let collected = try await Leases(context: longLater).collectExpired(dryRun: false)
        #expect(collected.map(\.vmName) == [expired.vmName])
        #expect(try await bed.control().vm(named: expired.vmName) == nil)
        #expect(try bed.claims.load(expired.identity.id) == nil)
        #expect(try await bed.control().vm(named: kept.vmName) != nil)

        // A warmup that died before its VM existed leaves a provisioning
        // claim: gc forgets it once it is an hour old, not before.
        try await bed.control().remove(kept.vmName)
        _ = try bed.claims.update(kept.identity.id) { $0.state = .provisioning }
        #expect(try await long.collectExpired(dryRun: false).isEmpty)
        _ = try bed.claims.update(kept.identity.id) { $0.createdAt = Date().addingTimeInterval(-7200) }
        let forgotten = try await long.collectExpired(dryRun: false)
        #expect(forgotten.map(\.action) == [.forgotten])
        #expect(try bed.claims.load(kept.identity.id) == nil)
        }
    }

    @Test("a warmup that fails after the VM exists removes the VM and the claim")
    func failedWarmupRollsBack() async throws {
        try await withLeaseTestBed { bed in
        let stranger = try await SSHKeyPair.generate(type: "ed25519", at: bed.home.file("stranger"))
        let leases = try bed.leases(vmIdentity: stranger.privatePath, readiness: .seconds(5))
        await #expect(throws: (any Error).self) { try await leases.warmup(WarmupRequest(slug: "doomed")) }
        let remaining = try await bed.control().list([LeaseTags.owner]).vms
        #expect(remaining.isEmpty, "the VM was removed: \(remaining.map(\.name))")
        #expect(bed.claims.all().claims.isEmpty)

        let keeping = try bed.leases(vmIdentity: stranger.privatePath, readiness: .seconds(5))
        let error = await #expect(throws: LeaseError.self) { try await keeping.warmup(WarmupRequest(slug: "kept", keep: true)) }
        #expect(error?.message.contains("exe-cli lease stop") == true)
        #expect(try await bed.control().list([LeaseTags.owner]).vms.count == 1)
        }
    }

    @Test("a claim bound to another repository is refused without --reclaim")
    func claimFromAnotherRepository() async throws {
        try await withLeaseTestBed { bed in
        let claim = try await bed.leases().warmup(WarmupRequest(slug: "mine"))
        let other = bed.home.file("other-repo")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let elsewhere = try bed.leases(repository: other)
        // Looking at or touching it from here does not move it here.
        _ = try await elsewhere.touch(try elsewhere.lookup("mine"))
        #expect(try bed.claims.load(claim.identity.id)?.repositoryRoot == bed.repository)
        let error = await #expect(throws: LeaseError.self) {
            try await elsewhere.run(LeaseRunRequest(lease: "mine", arguments: ["true"]), output: { _ in })
        }
        #expect(error?.kind == .claim)
        #expect(error?.message.contains("--reclaim") == true)
        var request = LeaseRunRequest(lease: "mine", arguments: ["pwd"])
        request.reclaim = true
        let output = OutputCollector()
        let status = try await elsewhere.run(request, output: collectOutput(output)).status
        #expect(status == .exited(0))
        #expect(output.stdout.hasSuffix("/other-repo\n"))
        #expect(try bed.claims.load(claim.identity.id)?.repositoryRoot == other)
        }
    }

    @Test("a one-shot run creates a lease and stops it, even when the command fails")
    func oneShot() async throws {
        try await withLeaseTestBed { bed in
        let leases = try bed.leases()
        let result = try await leases.run(LeaseRunRequest(lease: nil, arguments: ["sh", "-c", "exit 7"]), output: { _ in })
        let (status, timing) = (result.status, result.timing)
        #expect(status == .exited(7))
        #expect(timing.leaseStopped)
        #expect(timing.warmupMilliseconds != nil)
        #expect(try await bed.control().list([LeaseTags.owner]).vms.isEmpty)
        #expect(bed.claims.all().claims.isEmpty)

        // Ctrl-C during a one-shot warmup: the VM is finished, then removed; nothing runs.
        let pressed = RunInterrupt()
        pressed.fire()
        let early = try await leases.run(LeaseRunRequest(lease: nil, arguments: ["true"]), interrupt: pressed, output: { _ in })
        let (none, interrupted) = (early.status, early.timing)
        #expect(none == nil)
        #expect(interrupted.interrupted && interrupted.leaseStopped && interrupted.exitCode == 130)
        #expect(try await bed.control().list([LeaseTags.owner]).vms.isEmpty)
        #expect(bed.claims.all().claims.isEmpty)
        }
    }

    @Test("exe-cli: 20 parallel warmups get 20 slugs and 20 claims; Ctrl-C reaches the remote command; secrets stay out of sight")
    func cliProcesses() async throws {
        try await withLeaseTestBed { bed in
        let cli = try LeaseTestBed.cliExecutable()
        let runner = LocalProcessRunner()
        let environment = bed.cliEnvironment

        let outputs = try await withThrowingTaskGroup(of: ProcessOutput.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await runner.run(ProcessInvocation(cli, ["lease", "warmup", "--json"], environment: environment, workingDirectory: bed.repository, timeout: .seconds(300)))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for output in outputs { #expect(output.status == 0, "\(output.stderr)") }
        let store = LeaseClaimStore(directory: bed.home.file("state-root/exe/leases"))
        let claims = store.all().claims
        #expect(claims.count == 20)
        #expect(Set(claims.map(\.identity.slug)).count == 20)
        #expect(claims.allSatisfy { $0.state == .ready })
        #expect(try await bed.control().list([LeaseTags.owner]).vms.count == 20)

        // Ctrl-C: SIGINT to exe-cli reaches the remote command's process group; exe-cli exits 130.
        let target = claims[0]
        let log = bed.home.file("run.log")
        let child = try ChildProcess.spawn(
            cli, ["lease", "run", "--id", target.identity.id, "--no-sync", "--", "sh", "-c", "echo $$ > remote.pid; sleep 60"],
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new }, workingDirectory: bed.repository,
            stdout: .appendToFile(log), stderr: .appendToFile(log))
        let leases = try bed.leases()
        var context = leases.context
        context.claims = store
        let connection = try await Leases(context: context).connect(target)
        var remotePID: Int32?
        let deadline = ContinuousClock.now + .seconds(30)
        while remotePID == nil, ContinuousClock.now < deadline {
            let read = try await connection.run("cat \(ShellQuote.word(target.remoteDirectory))/remote.pid 2>/dev/null")
            remotePID = Int32(read.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            if remotePID == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let pid = try #require(remotePID)
        #expect(try await connection.run("kill -0 \(pid)").succeeded)
        let clock = ContinuousClock()
        let interruptedAt = clock.now
        child.signal(SIGINT)
        let status = await child.exitStatus()
        #expect(status == 130)
        #expect(clock.now - interruptedAt < .seconds(15), "the remote `sleep 60` was interrupted, not waited for")
        // The remote side ends it asynchronously: give it until a deadline.
        var alive = true
        let gone = clock.now + .seconds(30)
        while alive, clock.now < gone {
            alive = try await connection.run("kill -0 \(pid) 2>/dev/null").succeeded
            if alive { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!alive, "the remote command is gone")
        await connection.close()

        // A forwarded secret arrives, but appears in no output and no process's argv.
        let secret = "tok-\(UInt64.random(in: 1...UInt64.max))"
        // The command checks the value by its digest, so the secret itself is on no command line.
        let digest = SHA256Hasher.hexDigest(Data(secret.utf8))
        // A canary on a command line proves the scanner sees what it looks for.
        let canary = "canary-\(UInt64.random(in: 1...UInt64.max))"
        let scanner = ProcessArgumentScanner(needles: [secret, canary])
        try #require(try await scanner.showCanary(canary), "the argv scanner never saw its canary")
        var secretEnvironment = environment
        secretEnvironment["DEPLOY_TOKEN"] = secret
        let secretRun = try await runner.run(ProcessInvocation(
            cli, ["lease", "run", "--id", claims[1].identity.id, "--allow-env", "DEPLOY_TOKEN", "--timing-json", bed.home.file("timing.json"),
                  "--", "sh", "-c", "sleep 1; [ \"$(printf %s \"$DEPLOY_TOKEN\" | sha256sum | cut -c1-64)\" = \(digest) ] && echo received"],
            environment: secretEnvironment, workingDirectory: bed.repository, timeout: .seconds(120)))
        let argv = scanner.stop()
        #expect(secretRun.status == 0, "\(secretRun.stderr)")
        #expect(secretRun.stdout == "received\n")
        #expect(!secretRun.stdout.contains(secret) && !secretRun.stderr.contains(secret))
        #expect(argv.hits.count >= 1 && argv.hits.allSatisfy { $0.contains(canary) }, "the secret was in a process's argv: \(argv.hits)")
        let timing = try String(contentsOfFile: bed.home.file("timing.json"), encoding: .utf8)
        #expect(timing.contains("\"exit_code\":0") && !timing.contains(secret))

        // The other commands, as a user runs them.
        let target2 = claims[2]
        let printed = try await runner.run(ProcessInvocation(cli, ["lease", "ssh", target2.identity.slug, "--print"], environment: environment, workingDirectory: bed.repository))
        #expect(printed.status == 0)
        #expect(printed.stdout.hasPrefix("ssh -t -p \(target2.sshPort) "))
        #expect(printed.stdout.contains(target2.remoteDirectory))
        // The interactive shell, through a real terminal (util-linux `script` makes the pty), starts in the work directory.
        var typed = ProcessInvocation(
            "script", ["-qec", ShellQuote.command([cli, "lease", "ssh", target2.identity.id]), "/dev/null"], environment: environment,
            workingDirectory: bed.repository, timeout: .seconds(60))
        typed.standardInput = Data("echo \"cwd=$(pwd)\"; exit 3\n".utf8)
        let shell = try await runner.run(typed)
        #expect(shell.status == 3, "the shell's exit status is exe-cli's: \(shell.stderr)")
        #expect(shell.stdout.replacingOccurrences(of: "\r", with: "").contains("cwd=\(target2.remoteDirectory)\n"), "\(shell.stdout)")
        let shown = try await runner.run(ProcessInvocation(cli, ["lease", "status", target2.identity.id, "--json"], environment: environment, workingDirectory: bed.repository))
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("\"reachable\":true"))
        let touched = try await runner.run(ProcessInvocation(cli, ["lease", "touch", target2.identity.slug], environment: environment, workingDirectory: bed.repository))
        #expect(touched.status == 0 && touched.stdout.hasPrefix("touched \(target2.identity.id)"))
        // status and touch from another directory leave the claim bound to its repository.
        let otherDirectory = bed.home.file("other-dir")
        try FileManager.default.createDirectory(atPath: otherDirectory, withIntermediateDirectories: true)
        for words in [["status", target2.identity.id], ["touch", target2.identity.id]] {
            let fromElsewhere = try await runner.run(ProcessInvocation(cli, ["lease"] + words, environment: environment, workingDirectory: otherDirectory))
            #expect(fromElsewhere.status == 0, "\(words): \(fromElsewhere.stderr)")
        }
        #expect(try store.load(target2.identity.id)?.repositoryRoot == target2.repositoryRoot)
        let exitFour = try await runner.run(ProcessInvocation(cli, ["lease", "run", "--id", target2.identity.id, "--no-sync", "--", "sh", "-c", "exit 4"], environment: environment, workingDirectory: bed.repository))
        #expect(exitFour.status == 4, "the remote exit code is exe-cli's: \(exitFour.stderr)")
        let listed = try await runner.run(ProcessInvocation(cli, ["lease", "list", "--json"], environment: environment, workingDirectory: bed.repository))
        #expect(listed.status == 0)
        #expect(listed.stdout.hasPrefix("{\"leases\":[") && listed.stdout.components(separatedBy: "\"lease_id\"").count == 21)
        let dryRun = try await runner.run(ProcessInvocation(cli, ["lease", "gc", "--dry-run"], environment: environment, workingDirectory: bed.repository))
        #expect(dryRun.status == 0 && dryRun.stdout == "nothing to collect\n")
        let config = try await runner.run(ProcessInvocation(cli, ["lease", "config", "--ttl", "2h"], environment: environment, workingDirectory: bed.repository))
        #expect(config.stdout.contains("ttl") && config.stdout.contains("2h") && config.stdout.contains("flag"))
        let missing = try await runner.run(ProcessInvocation(cli, ["lease", "status", "no-such-lease"], environment: environment, workingDirectory: bed.repository))
        #expect(missing.status == 3)

        let stop = try await runner.run(ProcessInvocation(cli, ["lease", "stop"] + claims.map(\.identity.id), environment: environment, workingDirectory: bed.repository, timeout: .seconds(300)))
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(try await bed.control().list([LeaseTags.owner]).vms.isEmpty)
        }
    }
}
