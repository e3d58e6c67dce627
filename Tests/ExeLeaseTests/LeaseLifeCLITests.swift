import ExeControl
import ExeLease
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 14, through the built exe-cli against exe-sim: stop twice, pause
/// and resume (exe-sim's `pause`/`resume`, ControlSession+Pause.swift, after
/// exe.dev's docs typescript-sandboxes.md / sandbox.md), reuse and fixed
/// lease ids, the heartbeat against a `gc` from another machine, artifacts.
/// Each test has a simulator of its own, so they run side by side as
/// ``SimulatorGate`` allows.
@Suite("exe-cli lease: stop twice, pause, reuse, heartbeat, artifacts (exe-sim)")
struct LeaseLifeCLITests {
    /// Runs the built exe-cli in `directory` (the test repository by default).
    static func cli(
        _ bed: LeaseTestBed, _ arguments: [String], in directory: String? = nil, extra: [String: String] = [:], timeout: Duration = .seconds(240)
    ) async throws -> ProcessOutput {
        try await LocalProcessRunner().run(ProcessInvocation(
            try LeaseTestBed.cliExecutable(), arguments, environment: bed.cliEnvironment.merging(extra) { _, new in new },
            workingDirectory: directory ?? bed.repository, timeout: timeout))
    }

    static func json(_ output: ProcessOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any], "\(output.stdout) \(output.stderr)")
    }

    static func store(_ bed: LeaseTestBed) -> LeaseClaimStore { LeaseClaimStore(directory: bed.home.file("state-root/exe/leases")) }

    @Test("lease stop twice succeeds twice (already-gone, also by slug, also in --json); another repository's or control host's claim is refused")
    func stopTwice() async throws {
        try await withLeaseTestBed { bed in
            let warm = try await Self.cli(bed, ["lease", "warmup", "--slug", "twice", "--json"])
            #expect(warm.status == 0, "\(warm.stderr)")
            let id = try #require(try Self.json(warm)["lease_id"] as? String)
            let vmName = try #require(try Self.json(warm)["vm"] as? String)

            // Another repository's claim: refused loudly (exit 7), the VM stays.
            let elsewhere = bed.home.file("elsewhere")
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            let refused = try await Self.cli(bed, ["lease", "stop", id], in: elsewhere)
            #expect(refused.status == 7, "\(refused.stdout) \(refused.stderr)")
            #expect(refused.stderr.contains("belongs to \(bed.repository)") && refused.stderr.contains("--any-repo"), "\(refused.stderr)")
            #expect(try await bed.control().vm(named: vmName) != nil)
            // Another control host's claim: refused too.
            let store = Self.store(bed)
            let original = try #require(try store.load(id)).controlHost
            _ = try store.update(id) { $0.controlHost = "exe.dev" }
            let otherHost = try await Self.cli(bed, ["lease", "stop", id])
            #expect(otherHost.status == 7 && otherHost.stderr.contains("--control-host exe.dev"), "\(otherHost.stderr)")
            #expect(try await bed.control().vm(named: vmName) != nil)
            _ = try store.update(id) { $0.controlHost = original }

            let first = try await Self.cli(bed, ["lease", "stop", "twice", "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("\"result\":\"stopped\""), "\(first.stdout)")
            #expect(try await bed.control().vm(named: vmName) == nil)
            for key in ["twice", id, vmName] {
                let again = try await Self.cli(bed, ["lease", "stop", key, "--json"])
                #expect(again.status == 0, "\(key): \(again.stderr)")
                let leases = try #require(try Self.json(again)["leases"] as? [[String: Any]])
                #expect(leases.first?["result"] as? String == "already-gone", "\(key): \(again.stdout)")
                #expect(leases.first?["lease"] as? String == id, "\(key): \(again.stdout)")
            }
            let human = try await Self.cli(bed, ["lease", "stop", "twice"])
            #expect(human.status == 0 && human.stdout.hasPrefix("already-gone \(id)"), "\(human.stdout) \(human.stderr)")
            // A name never seen is still "not found".
            let unknown = try await Self.cli(bed, ["lease", "stop", "never-was"])
            #expect(unknown.status == 3, "\(unknown.stderr)")
        }
    }

    @Test("pause keeps a background process; resume brings it back; gc pauses an idle lease, a run resumes it, gc stops it after the paused TTL")
    func pauseResume() async throws {
        try await withLeaseTestBed { bed in
            let warm = try await Self.cli(bed, ["lease", "warmup", "--idle-timeout", "3s", "--json"])
            #expect(warm.status == 0, "\(warm.stderr)")
            let id = try #require(try Self.json(warm)["lease_id"] as? String)
            let vmName = try #require(try Self.json(warm)["vm"] as? String)
            let start = try await Self.cli(bed, [
                "lease", "run", "--id", id, "--no-sync", "--", "sh", "-c",
                "setsid sh -c 'while :; do echo tick >> ticks; sleep 0.2; done' </dev/null >/dev/null 2>&1 & echo $! > bg.pid",
            ])
            #expect(start.status == 0, "\(start.stderr)")

            let paused = try await Self.cli(bed, ["lease", "pause", id, "--json"])
            #expect(paused.status == 0 && paused.stdout.contains("\"result\":\"paused\""), "\(paused.stdout) \(paused.stderr)")
            #expect(try await bed.control().vm(named: vmName)?.status == .paused)
            #expect(try await bed.control().vm(named: vmName)?.tags.contains { $0.hasPrefix("exe-lease-paused-") } == true)
            let again = try await Self.cli(bed, ["lease", "pause", id])
            #expect(again.status == 0 && again.stdout.hasPrefix("already-paused"), "\(again.stdout) \(again.stderr)")

            let resumed = try await Self.cli(bed, ["lease", "resume", id, "--json"])
            #expect(resumed.status == 0 && resumed.stdout.contains("\"result\":\"resumed\""), "\(resumed.stdout) \(resumed.stderr)")
            #expect(try await bed.control().vm(named: vmName)?.status == .running)
            #expect(try await bed.control().vm(named: vmName)?.tags.contains { $0.hasPrefix("exe-lease-paused-") } == false)
            let alive = try await Self.cli(bed, [
                "lease", "run", "--id", id, "--no-sync", "--", "sh", "-c",
                "kill -0 $(cat bg.pid) && a=$(wc -l < ticks) && sleep 1 && b=$(wc -l < ticks) && echo \"$a $b\" && [ $b -gt $a ]",
            ])
            #expect(alive.status == 0, "the background process survived pause and resume: \(alive.stdout) \(alive.stderr)")

            // Idle past its 3 s timeout: gc pauses it (the default idle action).
            try await Task.sleep(for: .seconds(5))
            let dry = try await Self.cli(bed, ["lease", "gc", "--dry-run"])
            #expect(dry.stdout.contains("would-pause \(vmName)"), "\(dry.stdout) \(dry.stderr)")
            let gc = try await Self.cli(bed, ["lease", "gc", "--json"])
            #expect(gc.status == 0 && gc.stdout.contains("\"action\":\"paused\""), "\(gc.stdout) \(gc.stderr)")
            #expect(try await bed.control().vm(named: vmName)?.status == .paused)
            // A run on the paused lease resumes it first.
            let run = try await Self.cli(bed, ["lease", "run", "--id", id, "--no-sync", "--", "sh", "-c", "kill -0 $(cat bg.pid)"])
            #expect(run.status == 0 && run.stderr.contains("resuming the paused VM"), "\(run.stderr)")
            #expect(try await bed.control().vm(named: vmName)?.status == .running)

            // Paused longer than the paused TTL: gc stops it.
            try await Task.sleep(for: .seconds(5))
            let pauseAgain = try await Self.cli(bed, ["lease", "gc"])
            #expect(pauseAgain.stdout.contains("paused \(vmName)"), "\(pauseAgain.stdout) \(pauseAgain.stderr)")
            try await Task.sleep(for: .seconds(2))
            let stop = try await Self.cli(bed, ["lease", "gc", "--paused-ttl", "1s", "--json"])
            #expect(stop.status == 0 && stop.stdout.contains("\"action\":\"stopped\""), "\(stop.stdout) \(stop.stderr)")
            #expect(try await bed.control().vm(named: vmName) == nil)
            // --idle-action checks its value before anything happens.
            let bad = try await Self.cli(bed, ["lease", "gc", "--idle-action", "nap"])
            #expect(bad.status == 2 && bad.stderr.contains("pause or stop"), "\(bad.stderr)")
        }
    }

    @Test("--lease-id twice makes one VM; --reuse takes a paused lease, resumes it and renews its TTL; unknown owners and settings are never taken; run reuses with EXE_LEASE_REUSE=1")
    func reuseAndFixedIDs() async throws {
        try await withLeaseTestBed { bed in
            func vmCount() async throws -> Int { try await bed.control().list().vms.count }
            let before = try await vmCount()
            let fixed = "lease_0123456789ab"
            let first = try await Self.cli(bed, ["lease", "warmup", "--lease-id", fixed, "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try Self.json(first)["origin"] as? String == "created")
            #expect(try Self.json(first)["lease_id"] as? String == fixed)
            let vmName = try #require(try Self.json(first)["vm"] as? String)
            #expect(try await vmCount() == before + 1)
            let second = try await Self.cli(bed, ["lease", "warmup", "--lease-id", fixed, "--json"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(try Self.json(second)["origin"] as? String == "existing")
            #expect(try Self.json(second)["vm"] as? String == vmName)
            #expect(try await vmCount() == before + 1, "the replayed warmup made no VM")
            let malformed = try await Self.cli(bed, ["lease", "warmup", "--lease-id", "my-job"])
            #expect(malformed.status == 2, "\(malformed.stderr)")

            // --reuse: the paused lease is taken, resumed, and its TTL renewed.
            let ttlBefore = try #require(LeaseTags.ttlEnd(in: try await bed.control().vm(named: vmName)?.tags ?? []))
            #expect(try await Self.cli(bed, ["lease", "pause", fixed]).status == 0)
            try await Task.sleep(for: .seconds(2))
            let reused = try await Self.cli(bed, ["lease", "warmup", "--reuse", "--json"])
            #expect(reused.status == 0, "\(reused.stderr)")
            #expect(try Self.json(reused)["origin"] as? String == "resumed", "\(reused.stdout)")
            #expect(try Self.json(reused)["lease_id"] as? String == fixed)
            #expect(try await vmCount() == before + 1)
            let vm = try #require(try await bed.control().vm(named: vmName))
            #expect(vm.status == .running)
            let ttlAfter = try #require(LeaseTags.ttlEnd(in: vm.tags))
            #expect(ttlAfter > ttlBefore, "the TTL was renewed: \(ttlBefore) -> \(ttlAfter)")
            #expect(vm.tags.filter { $0.hasPrefix("exe-lease-ttl-") }.count == 1)

            // A run without --id under EXE_LEASE_REUSE=1 takes it too, and leaves it.
            let timing = bed.home.file("timing.json")
            let run = try await Self.cli(bed, ["lease", "run", "--timing-json", timing, "--", "sh", "-c", "echo \"$EXE_LEASE_ID\""], extra: ["EXE_LEASE_REUSE": "1"])
            #expect(run.status == 0 && run.stdout == fixed + "\n", "\(run.stdout) \(run.stderr)")
            #expect(try await vmCount() == before + 1)
            #expect(try String(contentsOfFile: timing, encoding: .utf8).contains("\"lease_stopped\":false"))

            // Other size settings: not taken (a new lease is made).
            let bigger = try await Self.cli(bed, ["lease", "warmup", "--reuse", "--cpus", "3", "--json"])
            #expect(bigger.status == 0, "\(bigger.stderr)")
            let biggerOrigin = try Self.json(bigger)["origin"] as? String
            #expect(biggerOrigin == "created", "\(bigger.stdout)")
            #expect(try await vmCount() == before + 2)
            let biggerID = try #require(try Self.json(bigger)["lease_id"] as? String)
            #expect(try await Self.cli(bed, ["lease", "stop", biggerID]).status == 0)

            // Unknown settings (a claim from before they were recorded): never taken.
            let store = Self.store(bed)
            _ = try store.update(fixed) { $0.sizeKey = nil }
            let unknownSettings = try await Self.cli(bed, ["lease", "warmup", "--reuse", "--json"])
            let unknownOrigin = try Self.json(unknownSettings)["origin"] as? String
            #expect(unknownSettings.status == 0 && unknownOrigin == "created", "\(unknownSettings.stdout)")
            let madeID = try #require(try Self.json(unknownSettings)["lease_id"] as? String)
            #expect(madeID != fixed)
            #expect(try await Self.cli(bed, ["lease", "stop", madeID]).status == 0)

            // Unknown owner: a VM whose lease id this machine has no claim for is refused.
            try store.remove(fixed)
            let orphan = try await Self.cli(bed, ["lease", "warmup", "--lease-id", fixed])
            #expect(orphan.status == 7 && orphan.stderr.contains("owner is unknown"), "\(orphan.stderr)")
            #expect(try await vmCount() == before + 1)
            try await bed.control().remove(vmName)
        }
    }

    @Test("the heartbeat keeps a long run from a gc on another machine with a short idle limit; lease touch moves the expiry by hand")
    func heartbeat() async throws {
        // Mostly a 30 s command and an idle limit lapsing, with a gc a second.
        try await withLeaseTestBed(load: .mostlyWaiting) { bed in
            let warm = try await Self.cli(bed, ["lease", "warmup", "--idle-timeout", "12s", "--json"])
            #expect(warm.status == 0, "\(warm.stderr)")
            let id = try #require(try Self.json(warm)["lease_id"] as? String)
            let vmName = try #require(try Self.json(warm)["vm"] as? String)
            // "Another machine": its own state directory, so no claims and no
            // in-use locks; it judges the lease by the VM's tags alone.
            let otherMachine = ["XDG_STATE_HOME": bed.home.file("other-machine-state")]
            async let run = Self.cli(bed, ["lease", "run", "--id", id, "--no-sync", "--", "sh", "-c", "sleep 30; echo survived"])
            var collected: [String] = []
            // The heartbeat beats every 3 s (a quarter of the limit): a
            // loaded machine may delay a beat by seconds without a lapse.
            let until = ContinuousClock.now + .seconds(28)
            while ContinuousClock.now < until {
                try await Task.sleep(for: .seconds(1))
                let gc = try await Self.cli(bed, ["lease", "gc", "--idle-action", "stop"], extra: otherMachine)
                collected.append(gc.stdout)
            }
            let finished = try await run
            #expect(finished.status == 0 && finished.stdout == "survived\n", "\(finished.stdout) \(finished.stderr)")
            #expect(!collected.joined().contains(vmName), "\(collected)")
            #expect(try await bed.control().vm(named: vmName) != nil)

            // Nothing runs now: past the idle limit the other machine's gc stops it,
            // unless touched by hand just before.
            try await Task.sleep(for: .seconds(3))
            let touched = try await Self.cli(bed, ["lease", "touch", id])
            #expect(touched.status == 0, "\(touched.stderr)")
            let expires = try #require(LeaseTags.expiry(in: try await bed.control().vm(named: vmName)?.tags ?? []))
            #expect(expires > Date().addingTimeInterval(1), "touch moved the expiry tag ahead: \(expires)")
            let kept = try await Self.cli(bed, ["lease", "gc", "--idle-action", "stop"], extra: otherMachine)
            #expect(!kept.stdout.contains(vmName), "\(kept.stdout)")
            try await Task.sleep(for: .seconds(14))
            let reaped = try await Self.cli(bed, ["lease", "gc", "--idle-action", "stop"], extra: otherMachine)
            #expect(reaped.stdout.contains("stopped \(vmName)"), "\(reaped.stdout) \(reaped.stderr)")
        }
    }

    @Test("run --artifacts copies files back after a failing command, refuses paths leading out of the work dir, bounds nothing silently")
    func artifacts() async throws {
        try await withLeaseTestBed { bed in
            let escaping = try await Self.cli(bed, ["lease", "run", "--artifacts", "../secrets", "--", "true"])
            #expect(escaping.status == 2 && escaping.stderr.contains("stay inside"), "\(escaping.stderr)")
            let absolute = try await Self.cli(bed, ["lease", "run", "--artifacts", "/etc/passwd", "--", "true"])
            #expect(absolute.status == 2, "\(absolute.stderr)")
            #expect(try await bed.control().list([LeaseTags.owner]).vms.isEmpty, "usage errors made no VM")

            let timing = bed.home.file("artifacts-timing.json")
            let run = try await Self.cli(bed, [
                "lease", "run", "--timing-json", timing, "--artifacts", "out", "logs/*.txt", "nothing-here", "escape-link", "--", "sh", "-c",
                "mkdir -p out/sub logs && echo report > out/sub/a.xml && echo log > logs/x.txt && echo no > logs/y.bin && ln -s /etc escape-link && exit 3",
            ])
            #expect(run.status == 3, "the command's status stays exe-cli's: \(run.stderr)")
            let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: timing))) as? [String: Any])
            let runID = try #require(record["run_id"] as? String)
            #expect(record["lease_stopped"] as? Bool == true)
            let directory = bed.repository + "/.exe/artifacts/" + runID
            #expect(try String(contentsOfFile: directory + "/out/sub/a.xml", encoding: .utf8) == "report\n")
            #expect(try String(contentsOfFile: directory + "/logs/x.txt", encoding: .utf8) == "log\n")
            #expect(!FileManager.default.fileExists(atPath: directory + "/logs/y.bin"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/escape-link"))
            #expect(run.stderr.contains("artifacts: 2 files"), "\(run.stderr)")
            #expect(run.stderr.contains("nothing matched nothing-here"), "\(run.stderr)")
            #expect(run.stderr.contains("refused (leads outside the work directory) escape-link"), "\(run.stderr)")
            #expect(try await bed.control().list([LeaseTags.owner]).vms.isEmpty, "the one-shot lease was stopped after the copy")

            // --artifacts-dir puts them elsewhere.
            let elsewhere = bed.home.file("collected")
            let second = try await Self.cli(bed, ["lease", "run", "--artifacts", "README.md", "--artifacts-dir", elsewhere, "--", "true"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(try String(contentsOfFile: elsewhere + "/README.md", encoding: .utf8) == "# lease test\n")
        }
    }
}

extension LeaseLifeCLITests {
    /// A loopback port nothing listens on now (the sim's VMs share the host's network).
    static func freePort() throws -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000...40_000)
            let probe = try? SSHTestPortProbe.isFree(port)
            if probe == true { return port }
        }
        throw LeaseError(.configuration, "no free port found")
    }

    @Test("lease tunnel: a web server on the VM reached with curl through a direct-tcpip channel; the URL only after a connection succeeded; Ctrl-C ends it; a dead port prints no URL; a paused lease is resumed first")
    func tunnel() async throws {
        try await withLeaseTestBed { bed in
            let warm = try await Self.cli(bed, ["lease", "warmup", "--json"])
            #expect(warm.status == 0, "\(warm.stderr)")
            let id = try #require(try Self.json(warm)["lease_id"] as? String)
            let remotePort = try Self.freePort()

            // Nothing listens yet: exit 1, no URL.
            let dead = try await Self.cli(bed, ["lease", "tunnel", id, "\(remotePort):0"], timeout: .seconds(60))
            #expect(dead.status == 1 && dead.stdout.isEmpty && dead.stderr.contains("nothing answers on port \(remotePort)"), "\(dead.stdout) \(dead.stderr)")

            let serve = try await Self.cli(bed, [
                "lease", "run", "--id", id, "--no-sync", "--", "sh", "-c",
                "mkdir -p site && echo hello-through-the-tunnel > site/index.html && setsid busybox httpd -f -p 127.0.0.1:\(remotePort) -h site </dev/null >/dev/null 2>&1 & sleep 1",
            ])
            #expect(serve.status == 0, "\(serve.stderr)")

            try await Self.checkTunnel(bed, id: id, remotePort: remotePort)

            // A paused lease: the tunnel resumes it first, says so, and the web server (paused with it) answers.
            let paused = try await Self.cli(bed, ["lease", "pause", id])
            #expect(paused.status == 0, "\(paused.stderr)")
            let vmName = try #require(try Self.json(warm)["vm"] as? String)
            #expect(try await bed.control().vm(named: vmName)?.status == .paused)
            let said = try await Self.checkTunnel(bed, id: id, remotePort: remotePort, name: "tunnel-paused")
            #expect(said.contains("lease \(id): resuming the paused VM \(vmName)"), "\(said)")
            #expect(try await bed.control().vm(named: vmName)?.status == .running)
            #expect(try await Self.cli(bed, ["lease", "stop", id]).status == 0)
        }
    }
}

extension LeaseLifeCLITests {
    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Opens `lease tunnel` as a child, fetches through it with curl, ends
    /// it with SIGINT; returns what it wrote on stderr.
    @discardableResult
    static func checkTunnel(_ bed: LeaseTestBed, id: String, remotePort: Int, name: String = "tunnel") async throws -> String {
        let log = bed.home.file(name + ".out")
        let errors = bed.home.file(name + ".err")
        let environment = ProcessInfo.processInfo.environment.merging(bed.cliEnvironment) { _, new in new }
        let child = try ChildProcess.spawn(
            try LeaseTestBed.cliExecutable(), ["lease", "tunnel", id, "\(remotePort):0"], environment: environment,
            workingDirectory: bed.repository, stdout: .appendToFile(log), stderr: .appendToFile(errors))
        let deadline = ContinuousClock.now + .seconds(60)
        while text(log).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let url = text(log).trimmingCharacters(in: .whitespacesAndNewlines)
        let stderrText = text(errors)
        #expect(url.hasPrefix("http://127.0.0.1:"), "\(url) \(stderrText)")
        for _ in 0..<3 {
            let fetched = try await LocalProcessRunner().run(ProcessInvocation("curl", ["-sS", "--max-time", "20", url + "/index.html"], timeout: .seconds(30)))
            #expect(fetched.status == 0 && fetched.stdout == "hello-through-the-tunnel\n", "\(fetched.stdout) \(fetched.stderr)")
        }
        child.signal(SIGINT)
        let ends = ContinuousClock.now + .seconds(30)
        while child.isRunning && ContinuousClock.now < ends { try await Task.sleep(for: .milliseconds(100)) }
        if child.isRunning { child.signal(SIGKILL) }
        let status = await child.exitStatus()
        let finalErrors = text(errors)
        #expect(status == 0, "Ctrl-C ends the tunnel: \(finalErrors)")
        let after = try await LocalProcessRunner().run(ProcessInvocation("curl", ["-sS", "--max-time", "5", url], timeout: .seconds(15)))
        #expect(after.status != 0, "the listener is gone after Ctrl-C")
        return finalErrors
    }
}

/// Whether a loopback port is free (bind succeeds).
enum SSHTestPortProbe {
    static func isFree(_ port: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}

extension LeaseLifeCLITests {
    @Test("run --artifacts after Ctrl-C: the files the interrupted command wrote are copied back, then exit 130")
    func artifactsAfterInterrupt() async throws {
        try await withLeaseTestBed { bed in
            let warm = try await Self.cli(bed, ["lease", "warmup", "--json"])
            #expect(warm.status == 0, "\(warm.stderr)")
            let id = try #require(try Self.json(warm)["lease_id"] as? String)
            let errors = bed.home.file("interrupted.err")
            let collected = bed.home.file("interrupted-artifacts")
            let child = try ChildProcess.spawn(
                try LeaseTestBed.cliExecutable(),
                ["lease", "run", "--id", id, "--no-sync", "--artifacts", "partial.txt", "--artifacts-dir", collected, "--", "sh", "-c",
                 "echo half-done > partial.txt; echo started; sleep 60"],
                environment: ProcessInfo.processInfo.environment.merging(bed.cliEnvironment) { _, new in new }, workingDirectory: bed.repository,
                stdout: .appendToFile(bed.home.file("interrupted.out")), stderr: .appendToFile(errors))
            let deadline = ContinuousClock.now + .seconds(60)
            while !Self.text(bed.home.file("interrupted.out")).contains("started") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            try #require(Self.text(bed.home.file("interrupted.out")).contains("started"), "the command never started")
            child.signal(SIGINT)
            let ends = ContinuousClock.now + .seconds(60)
            while child.isRunning && ContinuousClock.now < ends { try await Task.sleep(for: .milliseconds(100)) }
            if child.isRunning { child.signal(SIGKILL) }
            let status = await child.exitStatus()
            let stderrText = Self.text(errors)
            #expect(status == 130, "\(stderrText)")
            #expect(Self.text(collected + "/partial.txt") == "half-done\n", "\(stderrText)")
            #expect(try await Self.cli(bed, ["lease", "stop", id]).status == 0)
        }
    }
}
