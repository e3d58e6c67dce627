import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 16, manual promote, through the built `exe-cli` against exe-sim:
/// `deploy --no-promote` leaves the new release healthy beside the live one
/// (Pattern A: its own VM under the temporary name; Pattern B: its slot
/// container on the other port), `deploy promote` swaps it in as a deploy
/// would, `deploy discard` removes it without touching what is live.
/// The swap is `rename` (execore/ssh_rename_command.go) for Pattern A and
/// `share port` (execore/ssh_share.go handleSharePortCmd) for Pattern B.
extension DeployEndToEndTests {
    @Test("Issue 16: Pattern A --no-promote keeps the live VM serving and the candidate answering at its own URL; promote swaps it in; discard removes it")
    func manualPromoteReplace() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("mp-rep", page: "v1")
        _ = try expectSuccess(try await deploy(app), "first deploy")
        let url = try #require(try await sim.vm("mp-rep")?["https_url"] as? String)
        func aside() async throws -> [String] { try await sim.vmNames().filter { $0.hasPrefix("mp-rep-p") } }
        func temporary() async throws -> [String] { try await sim.vmNames().filter { $0.hasPrefix("mp-rep-g") } }

        // --no-promote: v2 becomes the candidate; v1 keeps the name.
        try sim.write(.serves, page: "v2", in: app)
        let staged = try expectSuccess(try await deploy(app, ["--no-promote"]), "deploy --no-promote")
        #expect(staged["outcome"] as? String == "candidate", "\(staged)")
        let candidate = try #require(staged["candidate"] as? [String: Any], "\(staged)")
        let candidateVM = try #require(candidate["vm"] as? String)
        let candidateURL = try #require(candidate["url"] as? String)
        #expect(candidateVM.hasPrefix("mp-rep-g") && candidateURL != url, "\(candidate)")
        #expect(staged["url"] as? String == candidateURL)
        #expect(try await sim.get(url).body.contains("v1"), "the live release still serves")
        #expect(try await sim.get(candidateURL).body.contains("v2"), "the candidate answers at its own URL")
        #expect(try await aside() == [], "nothing was swapped")
        #expect((try await sim.vm("mp-rep")?["tags"] as? [String] ?? []).allSatisfy { !$0.hasPrefix("exe-deploy-lock") }, "the lock was released")

        // While it waits: a second --no-promote and a plain deploy are refused (exit 10), status shows it.
        let second = try await deploy(app, ["--no-promote"], json: false)
        #expect(second.status == 10, "\(second.status) \(second.stderr)")
        #expect(second.stderr.contains("exe-cli deploy promote") && second.stderr.contains("exe-cli deploy discard"), "\(second.stderr)")
        #expect(!second.stderr.contains("[build]"), "refused before building: \(second.stderr)")
        let plain = try await deploy(app, [], json: false)
        #expect(plain.status == 10, "\(plain.status) \(plain.stderr)")
        let temporaries = try await temporary()
        #expect(temporaries == [candidateVM], "the refusals left only the candidate: \(temporaries)")
        let status = try JSONOutput.object(try await sim.cli(["deploy", "status", "--json"], in: app).stdout)
        #expect((status["candidate"] as? [String: Any])?["vm"] as? String == candidateVM, "\(status)")
        #expect((status["candidate"] as? [String: Any])?["url"] as? String == candidateURL, "\(status)")
        let statusText = try await sim.cli(["deploy", "status"], in: app)
        #expect(statusText.stdout.contains("candidate: \(candidateVM)"), "\(statusText.stdout)")

        // promote: health-gated again, then the swap; no build, no create.
        let promotedRun = try await sim.cli(["deploy", "promote", "--json"], in: app)
        let promoted = try expectSuccess(promotedRun, "promote")
        #expect(promoted["action"] as? String == "promote" && promoted["outcome"] as? String == "deployed", "\(promoted)")
        #expect(promotedRun.stderr.contains("[health]") && promotedRun.stderr.contains("[window]"), "\(promotedRun.stderr)")
        #expect(!promotedRun.stderr.contains("[build]") && !promotedRun.stderr.contains("[create]"), "\(promotedRun.stderr)")
        #expect(try await sim.get(url).body.contains("v2"))
        #expect(try await temporary() == [], "the candidate took the name")
        let kept = try await aside()
        #expect(kept.count == 1, "the release it replaced is kept paused (--keep-releases 1): \(kept)")
        if let name = kept.first { #expect(try await sim.vm(name)?["status"] as? String == "paused") }
        #expect(!(try await sim.vm("mp-rep")?["tags"] as? [String] ?? []).contains { $0.hasPrefix("exe-deploy-candidate-") }, "the candidate mark went")
        let noneLeft = try await sim.cli(["deploy", "status", "--json"], in: app)
        #expect(try JSONOutput.object(noneLeft.stdout)["candidate"] == nil, "\(noneLeft.stdout)")

        // --no-promote + discard: the candidate goes, nothing live changes.
        try sim.write(.serves, page: "v3", in: app)
        let again = try expectSuccess(try await deploy(app, ["--no-promote"]), "second --no-promote")
        let secondVM = try #require((again["candidate"] as? [String: Any])?["vm"] as? String)
        let discarded = try expectSuccess(try await sim.cli(["deploy", "discard", "--json"], in: app), "discard")
        #expect(discarded["action"] as? String == "discard" && discarded["outcome"] as? String == "discarded", "\(discarded)")
        #expect(!(try await sim.vmNames()).contains(secondVM), "the candidate VM is gone")
        #expect(try await aside() == kept, "the kept release is untouched")
        #expect(try await sim.get(url).body.contains("v2"), "the live release is untouched")
        #expect(try await sim.vm("mp-rep")?["status"] as? String == "running")

        // Nothing to promote or discard: exit 10.
        let nothing = try await sim.cli(["deploy", "promote"], in: app)
        #expect(nothing.status == 10 && nothing.stderr.contains("no candidate release"), "\(nothing.status) \(nothing.stderr)")
        let nothingToDiscard = try await sim.cli(["deploy", "discard"], in: app)
        #expect(nothingToDiscard.status == 10, "\(nothingToDiscard.status) \(nothingToDiscard.stderr)")
        // --help never acts.
        let help = try await sim.cli(["deploy", "promote", "--help"], in: app)
        #expect(help.status == 0 && help.stdout.contains("candidate"), "\(help.stdout)")
    }
}

extension ZeroDowntimeComposeTests {
    @Test("Issue 16: Pattern B --no-promote starts the candidate on the other port; promote switches with 0 failed requests; discard removes it")
    func manualPromoteCompose() async throws {
        let sim = try self.sim
        _ = try await sim.control("new --name=mp-cmp")
        let app = try sim.makeApp("mp-cmp", pattern: .compose, page: "v1")
        let first = try await sim.cli(["deploy", "--json"], in: app)
        try #require(first.status == 0, "first deploy: \(first.stderr)")
        let url = try #require(try await sim.vm("mp-cmp")?["https_url"] as? String)
        let liveFile = try await sim.onVM("mp-cmp", "cat /data/mp-cmp.compose.yaml").stdout

        try sim.write(.serves, page: "v2", in: app)
        let staging = try await sim.cli(["deploy", "--no-promote", "--json"], in: app)
        try #require(staging.status == 0, "--no-promote: \(staging.stderr)")
        let staged = try JSONOutput.object(staging.stdout)
        #expect(staged["outcome"] as? String == "candidate", "\(staged)")
        let candidate = try #require(staged["candidate"] as? [String: Any], "\(staged)")
        #expect(candidate["port"] as? Int == 8081 && candidate["container"] as? String == "mp-cmp-8081", "\(candidate)")
        let candidateURL = try #require(candidate["url"] as? String)
        #expect(URL(string: candidateURL)?.port == 8081, "\(candidateURL)")
        let notes = (staged["notes"] as? [String] ?? []).joined(separator: "\n")
        #expect(notes.contains("X-Exedev-Authorization") && notes.contains("exe-cli deploy promote"), "the note says the port URL needs a token: \(notes)")
        #expect(try await sim.get(url).body.contains("v1"), "the live release still serves")
        #expect(try await sim.get(candidateURL).body.contains("v2"), "the candidate answers on its port URL (VM-scoped token)")
        #expect(try await sim.control("share port mp-cmp")["port"] as? Int == 8080)
        #expect(try await sim.onVM("mp-cmp", "cat /data/mp-cmp.compose.yaml").stdout == liveFile, "the live compose file is untouched")
        let state = try await sim.onVM("mp-cmp", "docker ps -a --format '{{.Names}}' | sort; cat /data/.exe-deploy/mp-cmp/web-port")
        #expect(state.stdout == "mp-cmp-8080\nmp-cmp-8081\n8080\n", "\(state.stdout)")

        let second = try await sim.cli(["deploy", "--no-promote"], in: app)
        #expect(second.status == 10 && second.stderr.contains("exe-cli deploy discard"), "\(second.status) \(second.stderr)")
        let rollback = try await sim.cli(["deploy", "rollback"], in: app)
        #expect(rollback.status == 10, "a rollback waits for the candidate too: \(rollback.status) \(rollback.stderr)")
        let status = try JSONOutput.object(try await sim.cli(["deploy", "status", "--json"], in: app).stdout)
        #expect((status["candidate"] as? [String: Any])?["port"] as? Int == 8081, "\(status)")

        // promote under a request loop: 0 failures, the switch to 8081.
        let token = try await sim.harness.mintVMToken(key: sim.key, vm: "mp-cmp", label: "mp-loop")
        var promotion: ProcessOutput?
        let duringPromote = try await underLoad(url, token: token) {
            promotion = try await sim.cli(["deploy", "promote"], in: app)
        }
        let promoted = try #require(promotion)
        try #require(promoted.status == 0, "promote: \(promoted.stderr)")
        #expect(promoted.stdout.hasPrefix("promoted mp-cmp"), "\(promoted.stdout)")
        #expect(promoted.stderr.contains("[health]") && promoted.stderr.contains("share port mp-cmp 8081"), "\(promoted.stderr)")
        #expect(!promoted.stderr.contains("[build]"), "\(promoted.stderr)")
        #expect(duringPromote.sent > 50, "the loop ran during the promote: \(duringPromote)")
        #expect(duringPromote.failed == 0, "no request failed during the promote: \(duringPromote)")
        #expect(duringPromote.bodies.first?.contains("v1") == true && duringPromote.bodies.last?.contains("v2") == true, "\(duringPromote.bodies)")
        #expect(try await sim.control("share port mp-cmp")["port"] as? Int == 8081)
        let after = try await sim.onVM(
            "mp-cmp", "docker ps -a --format '{{.Names}}'; cat /data/.exe-deploy/mp-cmp/web-port; ls /data/.exe-deploy/mp-cmp/ /data/ | grep -c candidate")
        #expect(after.stdout == "mp-cmp-8081\n8081\n0\n", "one web container in slot 8081, no candidate files: \(after.stdout)")
        _ = try await sim.harness.ssh("ssh-key remove mp-loop", key: sim.key)

        // --no-promote + discard: the candidate (now on 8080) goes, the live one stays.
        try sim.write(.serves, page: "v3", in: app)
        let again = try await sim.cli(["deploy", "--no-promote", "--json"], in: app)
        try #require(again.status == 0, "\(again.stderr)")
        #expect((try JSONOutput.object(again.stdout)["candidate"] as? [String: Any])?["port"] as? Int == 8080)
        let discarded = try await sim.cli(["deploy", "discard", "--json"], in: app)
        try #require(discarded.status == 0, "discard: \(discarded.stderr)")
        #expect(try JSONOutput.object(discarded.stdout)["outcome"] as? String == "discarded")
        let left = try await sim.onVM("mp-cmp", "docker ps -a --format '{{.Names}}'; ls /data/.exe-deploy/mp-cmp/ /data/ | grep -c candidate")
        #expect(left.stdout == "mp-cmp-8081\n0\n", "\(left.stdout)")
        #expect(try await sim.control("share port mp-cmp")["port"] as? Int == 8081)
        #expect(try await sim.get(url).body.contains("v2"))
        let nothing = try await sim.cli(["deploy", "discard"], in: app)
        #expect(nothing.status == 10, "\(nothing.status) \(nothing.stderr)")
    }
}
