import ExeControl
@testable import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// `exe-cli deploy` end to end: buildah builds and pushes to exe-sim's
/// registry, the simulator creates VMs that run the images with podman,
/// and compose apps run through the VMs' docker shim.
@Suite("exe-cli deploy against exe-sim: Pattern A", .serialized, .deploySimulator)
struct DeployEndToEndTests: DeployEndToEndSuite {

    @Test("Pattern A blue-green: the new VM takes the name and keeps port, public, tags and comment; rollback goes back")
    func blueGreen() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("bluegreen-app", page: "v1", config: "replace:\n  tags: [webapp]\n")
        let firstRun = try await deploy(app)
        let first = try expectSuccess(firstRun, "first deploy")
        let firstImage = try #require(first["image"] as? String)
        #expect(first["outcome"] as? String == "deployed")
        #expect((first["digest"] as? String)?.hasPrefix("sha256:") == true)
        let firstURL = try #require(first["url"] as? String)
        #expect(firstURL == "http://bluegreen-app.exe-sim.localhost")
        #expect(try await sim.get(firstURL).body.contains("v1"))
        // The VM is private (exe.dev's default) and the simulator's proxy refuses
        // anonymous requests (exeweb/proxy.go RedirectToAuth): the health check
        // passed with a VM-scoped token (HealthAccess), revoked afterwards.
        #expect(try await sim.control("share show bluegreen-app")["status"] as? String == "private")
        #expect(try await sim.harness.fetch(firstURL).status == 307)
        #expect(firstRun.stderr.contains("is private: the health check uses the VM-scoped token"), "\(firstRun.stderr)")
        let keys = try await sim.harness.ssh("ssh-key list --json", key: sim.key)
        #expect(!keys.stdout.contains("exe-deploy-health-"), "\(keys.stdout)")

        _ = try await sim.control("share set-public bluegreen-app")
        _ = try await sim.control("comment bluegreen-app 'blue green under test'")
        _ = try await sim.control("tag bluegreen-app prod")

        try sim.write(.serves, page: "v2", in: app)
        let second = try await deploy(app, json: false)
        try #require(second.status == 0, "second deploy: \(second.stderr)")
        #expect(second.stdout.contains("deployed bluegreen-app on bluegreen-app: http://"))
        #expect(second.stdout.contains("previous: \(firstImage)"))
        #expect(second.stdout.contains("timing: lock") && second.stdout.contains(", build"), "the lock is taken before building")
        #expect(second.stderr.contains("keeping from bluegreen-app: port 8080, public, tags prod,webapp"))

        let names = try await sim.vmNames().filter { $0.hasPrefix("bluegreen-app") }
        #expect(names.count == 2 && names.contains("bluegreen-app"), "the previous release is kept: \(names)")
        let vm = try #require(try await sim.vm("bluegreen-app"))
        #expect(vm["tags"] as? [String] == ["prod", "webapp"])
        #expect(vm["comment"] as? String == "blue green under test")
        let share = try await sim.control("share show bluegreen-app")
        #expect(share["status"] as? String == "public")
        #expect(share["port"] as? Int == 8080)
        let url = try #require(vm["https_url"] as? String)
        #expect(try await sim.get(url).body.contains("v2"))

        let rollback = try expectSuccess(try await sim.cli(["deploy", "rollback", "--json"], in: app), "rollback")
        #expect(rollback["image"] as? String == firstImage)
        #expect(rollback["action"] as? String == "rollback")
        let back = try #require(try await sim.vm("bluegreen-app"))
        #expect(try await sim.get(try #require(back["https_url"] as? String)).body.contains("v1"))
        #expect(back["tags"] as? [String] == ["prod", "webapp"])
        #expect(try await sim.control("share show bluegreen-app")["status"] as? String == "public")

        let status = try await sim.cli(["deploy", "status", "--json"], in: app)
        let state = try JSONOutput.object(status.stdout)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(state["healthy"] as? Bool == true)
        #expect(state["image"] as? String == firstImage)
        #expect((state["last_deploy"] as? [String: Any])?["action"] as? String == "rollback")
    }

    @Test("Pattern A replace (rm, then new under the same name) keeps the share settings, tags and comment too")
    func replaceStrategy() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("replaced-app", page: "v1", config: "replace:\n  strategy: replace\n")
        _ = try expectSuccess(try await deploy(app), "first deploy")
        _ = try await sim.control("share set-public replaced-app")
        _ = try await sim.control("comment replaced-app 'replaced in place'")
        _ = try await sim.control("tag replaced-app keepme")
        try sim.write(.serves, page: "v2", in: app)
        let second = try expectSuccess(try await deploy(app), "second deploy")
        #expect(second["strategy"] as? String == "replace")
        let timings = (second["timings"] as? [String: Any])?["entries"] as? [[String: Any]] ?? []
        #expect(timings.compactMap { $0["phase"] as? String }.contains("remove"))
        let vm = try #require(try await sim.vm("replaced-app"))
        #expect(vm["tags"] as? [String] == ["keepme"])
        #expect(vm["comment"] as? String == "replaced in place")
        #expect(try await sim.control("share show replaced-app")["status"] as? String == "public")
        #expect(try await sim.get(try #require(vm["https_url"] as? String)).body.contains("v2"))
    }

    @Test("Pattern A: a release that fails its health check is removed, its logs printed, and the old VM keeps serving")
    func failingRelease() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("failing-app", page: "good")
        _ = try expectSuccess(try await deploy(app), "first deploy")
        let url = try #require(try await sim.vm("failing-app")?["https_url"] as? String)

        try sim.write(.fails, page: "bad", in: app)
        let failed = try await sim.cli(["deploy", "--health-timeout", "6s"], in: app)
        #expect(failed.status == 9, "\(failed.stderr)")
        #expect(failed.stderr.contains("fatal: cannot open config"), "the failing VM's logs are printed:\n\(failed.stderr)")
        #expect(failed.stderr.contains("failing-app keeps serving the previous release"))
        #expect(failed.stderr.contains("did not answer 200 within 6s"))
        #expect(try await sim.vmNames().filter { $0.hasPrefix("failing-app") } == ["failing-app"])
        #expect(try await sim.get(url).body.contains("good"))
        #expect((try await sim.vm("failing-app")?["tags"] as? [String] ?? []).isEmpty, "the lock tags are gone")

        let json = try await sim.cli(["deploy", "--health-timeout", "4s", "--json"], in: app)
        #expect(json.status == 9)
        let report = try JSONOutput.object(json.stdout)
        #expect(report["outcome"] as? String == "restored")
        #expect(((report["logs"] as? [[String: Any]])?.first?["text"] as? String)?.contains("fatal: cannot open config") == true)
        #expect(try await sim.get(url).body.contains("good"))
    }

    /// Starts `exe-cli deploy` in `app`, waits until its progress shows the
    /// health step (the new VM exists and the lock is held), then sends
    /// SIGINT `count` times; returns the exit status and stderr.
    func interruptDuringHealth(_ app: String, count: Int) async throws -> (status: Int32, stderr: String) {
        let sim = try self.sim
        let log = app + "/interrupt-\(count).log"
        let child = try ChildProcess.spawn(
            sim.binary, ["deploy", "--health-timeout", "90s"], environment: sim.environment, workingDirectory: app,
            stdout: .appendToFile(log), stderr: .appendToFile(log))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(150)
        while clock.now < deadline, child.exitStatusIfEnded() == nil,
            !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("[health]")
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("[health]"), "the deploy reached its health step")
        for press in 0..<count {
            child.signal(SIGINT)
            // The second Ctrl-C is meant to find the cleanup under way.
            let acknowledged = clock.now + .seconds(30)
            while press + 1 < count, clock.now < acknowledged, child.exitStatusIfEnded() == nil,
                !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("interrupted: cleaning up")
            {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let status = await child.exitStatus()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test("Issue 12: one Ctrl-C during a deploy exits 130 naming the step and cleans up; a second quits at once and says what it left")
    func interruptedDeploy() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("interrupt-app", page: "live")
        _ = try expectSuccess(try await deploy(app), "first deploy")
        let url = try #require(try await sim.vm("interrupt-app")?["https_url"] as? String)
        try sim.write(.fails, page: "never", in: app)

        let once = try await interruptDuringHealth(app, count: 1)
        #expect(once.status == 130, "\(once.stderr)")
        #expect(once.stderr.contains("error: interrupted during health; cleaned up"), "\(once.stderr)")
        #expect(!once.stderr.contains("failed (exit status"), "no false cause: \(once.stderr)")
        #expect(try await sim.vmNames().filter { $0.hasPrefix("interrupt-app") } == ["interrupt-app"], "the new VM is removed")
        #expect((try await sim.vm("interrupt-app")?["tags"] as? [String] ?? []).isEmpty, "the lock is released")
        #expect(try await sim.get(url).body.contains("live"))

        let twice = try await interruptDuringHealth(app, count: 2)
        #expect(twice.status == 130, "\(twice.stderr)")
        #expect(twice.stderr.contains("interrupted again: quitting at once during health"), "\(twice.stderr)")
        #expect(twice.stderr.contains("left: ") && twice.stderr.contains("exe-cli deploy unlock"), "what was left is named: \(twice.stderr)")
        #expect(twice.stderr.contains("exe-cli vm rm"), "the half-made VM is named: \(twice.stderr)")
        // Clean up what the second interrupt left, with the commands it printed.
        #expect(try await sim.cli(["deploy", "unlock", "--yes"], in: app).status == 0)
        for name in try await sim.vmNames() where name.hasPrefix("interrupt-app") && name != "interrupt-app" {
            #expect(try await sim.cli(["vm", "rm", name, "--yes"], in: app).status == 0)
        }
        #expect(try await sim.get(url).body.contains("live"), "the old release served throughout")
    }

    @Test("the deploy lock: a held lock stops a second deploy (exit 8) with the holder and the unlock command")
    func locks() async throws {
        let sim = try self.sim
        // Pattern B: the lock directory on the VM, left by a deploy that died two hours ago.
        _ = try await sim.control("new --name=locked-app")
        let compose = try sim.makeApp("locked-app", pattern: .compose)
        let old = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-7200))
        let details = #"{"acquiredAt":"\#(old)","action":"deploy","app":"locked-app","holder":"ci@runner-7","host":"runner-7","id":"0123456789abcdef"}"#
        let made = try await sim.onVM(
            "locked-app", "mkdir -p /data/.exe-deploy/locked-app/lock && printf '%s' '\(details)' > /data/.exe-deploy/locked-app/lock/details.json")
        try #require(made.status == 0, "\(made.stderr)")
        let refused = try await deploy(compose, json: false)
        #expect(refused.status == 8, "\(refused.stderr)")
        #expect(refused.stderr.contains("held by ci@runner-7 (on runner-7)"))
        #expect(refused.stderr.contains("stale") && refused.stderr.contains("exe-cli deploy unlock"))
        let unlocked = try await sim.cli(["deploy", "unlock"], in: compose)
        #expect(unlocked.status == 0 && unlocked.stdout.contains("held by ci@runner-7"), "\(unlocked.stderr)")
        _ = try expectSuccess(try await deploy(compose), "deploy after unlock")

        // Two deploys at once: one takes the lock, the other is refused.
        let state = try JSONOutput.object(try await sim.cli(["deploy", "status", "--json"], in: compose).stdout)
        let prebuilt = try #require(state["image"] as? String)
        async let one = sim.cli(["deploy", "--image", prebuilt], in: compose)
        async let two = sim.cli(["deploy", "--image", prebuilt], in: compose)
        let statuses = [try await one.status, try await two.status].sorted()
        #expect(statuses == [0, 8], "concurrent deploys: \(statuses)")

        // Pattern A: the lock tag on the live VM, held by a running deploy.
        let site = try sim.makeApp("lockedsite-app")
        _ = try expectSuccess(try await deploy(site), "first deploy")
        let taken = Date()
        let holder = DeployLockDetails(app: "lockedsite-app", holder: "bob@laptop", host: "laptop.example", action: "deploy", acquiredAt: taken)
        _ = try await sim.control("tag lockedsite-app exe-deploy-lock \(VMTagLock.detailsTag(holder))")
        let held = try await deploy(site, json: false)
        #expect(held.status == 8, "\(held.stderr)")
        let since = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: taken.timeIntervalSince1970.rounded(.down)))
        #expect(held.stderr.contains("held by bob@laptop (on laptop.example) since \(since)") && !held.stderr.contains("stale"), "\(held.stderr)")
        #expect(try await sim.vmNames().filter { $0.hasPrefix("lockedsite-app") } == ["lockedsite-app"], "no VM was made")
        #expect(try await sim.cli(["deploy", "unlock"], in: site).status == 0)
        _ = try expectSuccess(try await deploy(site), "deploy after unlock")
    }
}

extension PatternBAndLockEndToEndTests {
    @Test("the secret search: the registry token and the env file's values appear in no output, remote file or process argv")
    func secretSearch() async throws {
        let sim = try self.sim
        let token = sim.registryToken.reveal()
        let envSecret = "env-secret-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var outputs: [(String, String)] = []
        func record(_ name: String, _ output: ProcessOutput) {
            outputs.append(("\(name) stdout", output.stdout))
            outputs.append(("\(name) stderr", output.stderr))
        }
        let canary = "canary-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let scanner = ProcessArgumentScanner(needles: [token, envSecret, canary])
        // The scanner must see a secret put in argv on purpose.
        try #require(try await scanner.showCanary(canary), "the argv scanner never saw its canary")

        // Pattern A: buildah login, push, `new --registry-auth`, health, audit.
        let site = try sim.makeApp("secret-site")
        let siteDeploy = try await sim.cli(["deploy"], in: site)
        record("A deploy", siteDeploy)
        #expect(siteDeploy.status == 0, "\(siteDeploy.stderr)")
        record("A deploy --json", try await sim.cli(["deploy", "--json"], in: site))
        record("A status --json", try await sim.cli(["deploy", "status", "--json"], in: site))
        record("A logs", try await sim.cli(["deploy", "logs"], in: site))
        record("A config", try await sim.cli(["deploy", "config"], in: site))
        record("A config --json", try await sim.cli(["deploy", "config", "--json"], in: site))

        // Pattern B: remote docker login, the env file, an app that prints its environment.
        _ = try await sim.control("new --name=secret-box")
        let box = try sim.makeApp("secret-box", pattern: .compose, behaviour: .printsEnvironment)
        try Data("API_KEY=\(envSecret)\n".utf8).write(to: URL(fileURLWithPath: box + "/prod.env"))
        let boxDeploy = try await sim.cli(["deploy", "--env-file", "prod.env"], in: box)
        record("B deploy", boxDeploy)
        #expect(boxDeploy.status == 0, "\(boxDeploy.stderr)")
        let logs = try await sim.cli(["deploy", "logs", "--tail", "50"], in: box)
        record("B logs", logs)
        #expect(logs.stdout.contains("API_KEY=[REDACTED]"), "the app printed its environment and it was redacted:\n\(logs.stdout)")
        record("B status --json", try await sim.cli(["deploy", "status", "--json"], in: box))
        try sim.write(.printsEnvironmentAndFails, page: "x", in: box)
        let failed = try await sim.cli(["deploy", "--json"], in: box)
        record("B failing deploy --json", failed)
        #expect(failed.status == 9)
        #expect(failed.stderr.contains("API_KEY=[REDACTED]"), "the failing service's logs are printed, redacted")

        let argv = scanner.stop()
        for vm in ["secret-site", "secret-box"] {
            let files = try await sim.onVM(vm, "cat /data/.exe-deploy/*/audit.jsonl /data/*.compose.yaml* 2>/dev/null; ls -la /data")
            outputs.append(("\(vm) files", files.stdout))
        }
        #expect(outputs.contains { $0.1.contains("tester@deploy-tests") }, "the search looked at real output")
        for (name, text) in outputs {
            #expect(!text.contains(token), "the registry token is in \(name)")
            #expect(!text.contains(envSecret), "the env file's value is in \(name)")
        }
        #expect(argv.hits.count >= 1 && argv.hits.allSatisfy { $0.contains(canary) }, "a secret was in a process's argv: \(argv.hits)")
        #expect(argv.distinctCommandLines > 20 && argv.sweeps > 20, "the scanner saw \(argv.distinctCommandLines) command lines in \(argv.sweeps) sweeps")
    }
}

extension PatternBAndLockEndToEndTests {
    @Test("Issue 12: the deploy lock is taken before building; of two concurrent deploys one builds, the other exits 8 without building and still prints its JSON report")
    func lockBeforeBuild() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("lockfirst-app", page: "v1")
        _ = try expectSuccess(try await deploy(app), "first deploy")
        try sim.write(.serves, page: "v2", in: app)
        async let one = deploy(app)
        async let two = deploy(app)
        let outputs = [try await one, try await two].sorted { $0.status < $1.status }
        try #require(outputs.map(\.status) == [0, 8], "concurrent deploys: \(outputs.map(\.status))\n\(outputs.map(\.stderr).joined(separator: "\n---\n"))")
        let (winner, loser) = (outputs[0], outputs[1])
        #expect(winner.stderr.contains("[build]") && winner.stderr.contains("[push]"), "the winner builds and pushes: \(winner.stderr)")
        #expect(!loser.stderr.contains("[build]") && !loser.stderr.contains("[push]"), "the refused deploy built nothing: \(loser.stderr)")
        #expect(loser.stderr.contains("held by"), "\(loser.stderr)")
        let report = try JSONOutput.object(loser.stdout)
        #expect(report["app"] as? String == "lockfirst-app" && (report["error"] as? String ?? "").contains("held by"), "\(loser.stdout)")
        #expect((try await sim.vm("lockfirst-app")?["tags"] as? [String] ?? []).isEmpty, "the winner released the lock")
        let url = try #require(try await sim.vm("lockfirst-app")?["https_url"] as? String)
        #expect(try await sim.get(url).body.contains("v2"))
    }
}

extension PatternBAndLockEndToEndTests {
    @Test("Issue 16: Pattern A keeps the previous release paused (--keep-releases); rollback resumes and swaps it back without building; share settings stay on the name")
    func keptReleases() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("kept-app", page: "v1")
        _ = try expectSuccess(try await deploy(app), "first deploy")
        try sim.write(.serves, page: "v2", in: app)
        _ = try expectSuccess(try await deploy(app), "second deploy")
        func aside() async throws -> [String] { try await sim.vmNames().filter { $0.hasPrefix("kept-app-p") } }
        let kept = try await aside()
        try #require(kept.count == 1, "one release kept: \(kept)")
        let keptVM = try #require(try await sim.vm(kept[0]))
        #expect(keptVM["status"] as? String == "paused", "\(keptVM)")
        #expect((keptVM["tags"] as? [String] ?? []).contains { $0.hasPrefix("exe-deploy-kept-") })
        #expect(!(keptVM["tags"] as? [String] ?? []).contains("exe-deploy-lock"), "the lock tags left with the swap")
        let url = try #require(try await sim.vm("kept-app")?["https_url"] as? String)
        #expect(try await sim.get(url).body.contains("v2"))

        // Share settings changed on the live VM after the deploy, and its
        // custom domain, follow the name.
        _ = try await sim.control("share set-public kept-app")
        _ = try await sim.control("domain add kept-app kept.example.com")
        let rolled = try await sim.cli(["deploy", "rollback", "--json"], in: app)
        let report = try expectSuccess(rolled, "rollback")
        #expect(rolled.stderr.contains("[resume]") && !rolled.stderr.contains("[build]") && !rolled.stderr.contains("[create]"), "\(rolled.stderr)")
        #expect(report["action"] as? String == "rollback")
        let total = try #require((report["timings"] as? [String: Any])?["total"] as? Double)
        print("kept-release rollback took \(total) s: \(rolled.stderr.split(separator: "\n").last ?? "")")
        #expect(total <= 10, "rollback by resume is a few control calls: \(total) s")
        #expect(try await sim.get(url).body.contains("v1"))
        #expect(try await sim.vm("kept-app")?["status"] as? String == "running")
        #expect(try await sim.control("share show kept-app")["status"] as? String == "public")
        let domains = try await sim.harness.ssh("domain ls kept-app --json", key: sim.key).stdout
        #expect(domains.contains("kept.example.com"), "the domain stays on the live name: \(domains)")
        let afterRollback = try await aside()
        #expect(afterRollback.count == 1 && afterRollback != kept, "the release rolled away from is kept in its place: \(afterRollback)")
        #expect(try await sim.vm(afterRollback[0])?["status"] as? String == "paused")

        // --keep-releases 0 removes every previous release.
        try sim.write(.serves, page: "v3", in: app)
        _ = try expectSuccess(try await deploy(app, ["--keep-releases", "0"]), "deploy keeping none")
        #expect(try await aside() == [], "keep 0 leaves no previous release")
        #expect(try await sim.harness.ssh("domain ls kept-app --json", key: sim.key).stdout.contains("kept.example.com"), "the domain moved with the deploy's swap too")
        #expect(try await sim.get(url).body.contains("v3"))
        // With no kept release, rollback falls back to the previous image.
        let byImage = try expectSuccess(try await sim.cli(["deploy", "rollback", "--json"], in: app), "rollback by image")
        #expect(byImage["action"] as? String == "rollback")
        #expect(try await sim.get(url).body.contains("v1"))

        // --keep-releases 2 keeps the two newest previous releases and removes older ones.
        let before = try await aside()
        #expect(before.count == 1, "the rollback by image kept the release it replaced (default 1): \(before)")
        var keptSoFar: [[String]] = []
        for page in ["v4", "v5", "v6"] {
            try sim.write(.serves, page: page, in: app)
            _ = try expectSuccess(try await deploy(app, ["--keep-releases", "2"]), "deploy \(page) keeping 2")
            keptSoFar.append(try await aside().sorted())
        }
        #expect(keptSoFar.map(\.count) == [2, 2, 2], "kept after each deploy: \(keptSoFar)")
        if keptSoFar.count == 3, let oldest = before.first {
            #expect(keptSoFar[0].contains(oldest) && !keptSoFar[1].contains(oldest), "the oldest kept release goes first: \(keptSoFar)")
            #expect(Set(keptSoFar[2]).intersection(keptSoFar[0]).isEmpty, "two deploys later none of the first pair is left: \(keptSoFar)")
        }
        for name in keptSoFar[2] { #expect(try await sim.vm(name)?["status"] as? String == "paused") }
        #expect(try await sim.get(url).body.contains("v6"))
    }
}

/// More of `exe-cli deploy` end to end, with a simulator of its own, so it
/// runs beside ``DeployEndToEndTests`` (``SimulatorGate``): Pattern B, the
/// deploy lock, the secret search and kept releases.
@Suite("exe-cli deploy against exe-sim: Pattern B, locks, secrets, kept releases", .serialized, .deploySimulator)
struct PatternBAndLockEndToEndTests: DeployEndToEndSuite {
    @Test("Pattern B: takes over the seed's deployment, env file 0600, restores the previous compose file on a failing service, rollback")
    func composeInPlace() async throws {
        let sim = try self.sim
        _ = try await sim.control("new --name=compose-app")
        let app = try sim.makeApp("compose-app", pattern: .compose, page: "v1")

        // The first release the way the seed's script does it: its own build
        // and push, `docker login` and the compose file (no project name:
        // project `data`) on the VM.
        let v1 = try await BuildahBuilder().build(
            ImageBuildRequest(
                repository: try #require(ImageReference("\(sim.harness.registry)/compose-app")), tag: "seed-1", contextDirectory: app,
                dockerfile: app + "/Dockerfile", platform: "linux/amd64",
                credentials: RegistryCredentials(username: sim.harness.registryUser, password: sim.registryToken)),
            runner: LocalProcessRunner(), steps: SilentSteps())
        let seedFile = """
            services:
              app:
                image: \(v1.reference)
                container_name: compose-app
                restart: always
                ports:
                  - "8080:8080"
                volumes:
                  - /data:/data
                env_file:
                  - /data/.env.production
            """
        let login = try await sim.onVM(
            "compose-app", "sudo docker login \(sim.harness.registry) -u \(sim.harness.registryUser) --password-stdin",
            standardInput: Data((sim.registryToken.reveal() + "\n").utf8))
        try #require(login.status == 0, "\(login.stderr)")
        let seeded = try await sim.onVM(
            "compose-app",
            "printf 'GREETING=hello\\n' > /data/.env.production && cat > /data/compose-app.compose.yaml && sudo docker compose -f /data/compose-app.compose.yaml pull && sudo docker compose -f /data/compose-app.compose.yaml up -d --remove-orphans",
            standardInput: Data(seedFile.utf8))
        try #require(seeded.status == 0, "\(seeded.stderr)")
        _ = try await sim.control("share port compose-app 8080")
        let url = try #require(try await sim.vm("compose-app")?["https_url"] as? String)
        #expect(try await sim.get(url).body.contains("v1"))

        try sim.write(.serves, page: "v2", in: app)
        try Data("GREETING=bonjour\n".utf8).write(to: URL(fileURLWithPath: app + "/prod.env"))
        let secondRun = try await deploy(app, ["--env-file", "prod.env"])
        let second = try expectSuccess(secondRun, "first exe-cli deploy")
        #expect(second["previous_image"] as? String == v1.reference.description)
        #expect(secondRun.stderr.contains("compose-app is private: the health check uses the VM-scoped token"), "\(secondRun.stderr)")
        #expect(try await sim.get(url).body.contains("v2"))
        let state = try await sim.onVM(
            "compose-app",
            "stat -c %a /data/.env.production /data/.env.production.prev; cat /data/.env.production /data/.env.production.prev /data/compose-app.compose.yaml; docker ps -a --format '{{.Names}}'")
        #expect(state.stdout.hasPrefix("600\n600\nGREETING=bonjour\nGREETING=hello\n"), "the seed's env file is kept as .prev, 0600: \(state.stdout)")
        #expect(state.stdout.contains("\"env_file\":") && state.stdout.contains("\"name\": \"compose-app\""), "\(state.stdout)")
        // The seed's container bound 8080 (the live share port): the release ran
        // beside it on 8081 (ComposeWebSlot), and the seed's container is gone.
        #expect(state.stdout.hasSuffix("\ncompose-app-8081\n"), "one container, in slot 8081: \(state.stdout)")

        try sim.write(.fails, page: "v3", in: app)
        try Data("GREETING=broken\n".utf8).write(to: URL(fileURLWithPath: app + "/prod.env"))
        let failed = try await deploy(app, ["--env-file", "prod.env"], json: false)
        #expect(failed.status == 9, "\(failed.stderr)")
        #expect(failed.stderr.contains("fatal: cannot open config"), "\(failed.stderr)")
        #expect(failed.stderr.contains("the previous compose file is back"))
        #expect(failed.stderr.contains("/data/.env.production is back as it was"), "\(failed.stderr)")
        #expect(try await sim.get(url).body.contains("v2"))
        let files = try await sim.onVM(
            "compose-app",
            "ls /data; grep image /data/compose-app.compose.yaml; stat -c %a /data/.env.production /data/.env.production.prev; cat /data/.env.production /data/.env.production.prev")
        #expect(files.stdout.contains("compose-app.compose.yaml.failed") && files.stdout.contains("compose-app.compose.yaml.prev"))
        #expect(files.stdout.contains(try #require(second["image"] as? String)))
        #expect(files.stdout.hasSuffix("600\n600\nGREETING=bonjour\nGREETING=hello\n"), "the env files are restored: \(files.stdout)")

        let rollback = try expectSuccess(try await sim.cli(["deploy", "rollback", "--json"], in: app), "compose rollback")
        #expect(rollback["image"] as? String == v1.reference.description)
        #expect(try await sim.get(url).body.contains("v1"))
        let rolledBack = try await sim.onVM(
            "compose-app", "stat -c %a /data/.env.production /data/.env.production.prev; cat /data/.env.production /data/.env.production.prev")
        #expect(rolledBack.stdout == "600\n600\nGREETING=hello\nGREETING=bonjour\n", "rollback brings the env file back too: \(rolledBack.stdout)")
        let logs = try await sim.cli(["deploy", "logs", "--tail", "5"], in: app)
        #expect(logs.status == 0 && logs.stdout.contains("compose-app"), "\(logs.stderr)")
    }
}

/// What the end-to-end deploy suites share: their simulator and deploys
/// through the built exe-cli.
protocol DeployEndToEndSuite {}

extension DeployEndToEndSuite {
    var sim: DeploySimulator { get throws { try DeploySimulatorScope.simulator } }

    func deploy(_ directory: String, _ arguments: [String] = [], json: Bool = true) async throws -> ProcessOutput {
        try await sim.cli(["deploy"] + arguments + (json ? ["--json"] : []), in: directory)
    }

    func expectSuccess(_ output: ProcessOutput, _ what: String) throws -> [String: Any] {
        try #require(output.status == 0, "\(what) failed (\(output.status)):\n\(output.stderr)\n\(output.stdout)")
        return try JSONOutput.object(output.stdout)
    }
}
