import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Pattern B without downtime, through the built `exe-cli` against exe-sim:
/// a request loop (one GET every 10 ms through `EXE_VM_PROXY`, the VM's
/// name-stable URL) runs while releases are deployed, rolled back and
/// refused. The switch is `share port` (execore/ssh_share.go
/// handleSharePortCmd: one call changes the port the VM's proxy routes to;
/// the simulator's router reads it per request, exeprox's way).
@Suite("Zero-downtime deploys against exe-sim (Pattern B side by side, Pattern A swap window)", .serialized, .deploySimulator)
struct ZeroDowntimeComposeTests {
    var sim: DeploySimulator { get throws { try DeploySimulatorScope.simulator } }

    /// Runs `body` with a request loop against `url` (with the VM-scoped
    /// token `token`), and returns the loop's report.
    func underLoad(_ url: String, token: Secret, _ body: () async throws -> Void) async throws -> RequestLoopReport {
        let loop = try RequestLoop(
            url: url, connectTo: try sim.harness.vmProxy, headers: ["X-Exedev-Authorization": Secret("Bearer " + token.reveal())],
            interval: .milliseconds(10), maxRequests: 30_000, maxDuration: .seconds(240))
        do {
            try await body()
        } catch {
            _ = await loop.stop()
            throw error
        }
        return await loop.stop()
    }

    @Test("an update and its rollback see 0 failed requests; a failing release leaves the old one serving with 0 failures")
    func updateRollbackAndFailure() async throws {
        let sim = try self.sim
        _ = try await sim.control("new --name=zd-app")
        let app = try sim.makeApp("zd-app", pattern: .compose, page: "v1")
        let first = try await sim.cli(["deploy", "--json"], in: app)
        try #require(first.status == 0, "first deploy: \(first.stderr)")
        let url = try #require(try await sim.vm("zd-app")?["https_url"] as? String)
        #expect(try await sim.get(url).body.contains("v1"))
        let firstPort = try await sim.onVM("zd-app", "cat /data/.exe-deploy/zd-app/web-port")
        #expect(firstPort.stdout == "8080\n", "the first release runs in slot 8080: \(firstPort.stdout) \(firstPort.stderr)")

        let token = try await sim.harness.mintVMToken(key: sim.key, vm: "zd-app", label: "zd-loop")
        // The update: v2 beside v1 on port 8081, health-gated there, then the switch.
        try sim.write(.serves, page: "v2", in: app)
        var update: ProcessOutput?
        let duringUpdate = try await underLoad(url, token: token) {
            update = try await sim.cli(["deploy"], in: app)
        }
        let updated = try #require(update)
        try #require(updated.status == 0, "update: \(updated.stderr)")
        #expect(duringUpdate.sent > 100, "the loop ran during the update: \(duringUpdate)")
        #expect(duringUpdate.failed == 0, "no request failed during the update: \(duringUpdate)")
        #expect(duringUpdate.bodies.first?.contains("v1") == true && duringUpdate.bodies.last?.contains("v2") == true, "\(duringUpdate.bodies)")
        #expect(updated.stderr.contains("share port zd-app 8081"), "\(updated.stderr)")
        #expect(try await sim.control("share port zd-app")["port"] as? Int == 8081)
        let state = try await sim.onVM("zd-app", "cat /data/.exe-deploy/zd-app/web-port; docker ps -a --format '{{.Names}}'")
        #expect(state.stdout == "8081\nzd-app-8081\n", "one web container, in slot 8081: \(state.stdout)")

        // The rollback: v1 again, beside v2, on port 8080.
        var rollback: ProcessOutput?
        let duringRollback = try await underLoad(url, token: token) {
            rollback = try await sim.cli(["deploy", "rollback"], in: app)
        }
        try #require(rollback?.status == 0, "rollback: \(rollback?.stderr ?? "")")
        #expect(duringRollback.failed == 0, "no request failed during the rollback: \(duringRollback)")
        #expect(duringRollback.bodies.last?.contains("v1") == true, "\(duringRollback.bodies)")
        #expect(try await sim.control("share port zd-app")["port"] as? Int == 8080)

        // A release that exits at once: the live one is never touched.
        try sim.write(.fails, page: "v3", in: app)
        var failing: ProcessOutput?
        let duringFailure = try await underLoad(url, token: token) {
            failing = try await sim.cli(["deploy"], in: app)
        }
        let failed = try #require(failing)
        #expect(failed.status == 9, "\(failed.stderr)")
        #expect(failed.stderr.contains("fatal: cannot open config"), "\(failed.stderr)")
        #expect(failed.stderr.contains("zd-app-8080 kept serving"), "\(failed.stderr)")
        #expect(duringFailure.failed == 0, "no request failed while the failing release was tried: \(duringFailure)")
        #expect(duringFailure.bodies == duringFailure.bodies.filter { $0.contains("v1") } && !duringFailure.bodies.isEmpty, "\(duringFailure.bodies)")
        #expect(try await sim.control("share port zd-app")["port"] as? Int == 8080)
        let after = try await sim.onVM("zd-app", "docker ps -a --format '{{.Names}}'; grep -c zd-app-8080 /data/zd-app.compose.yaml")
        #expect(after.stdout.hasPrefix("zd-app-8080\n"), "the failed container is gone, the live one stays: \(after.stdout)")
        _ = try await sim.harness.ssh("ssh-key remove zd-loop", key: sim.key)
    }

    @Test("a template whose web service binds a fixed host port is updated in place, with a warning")
    func fixedHostPortFallsBack() async throws {
        let sim = try self.sim
        _ = try await sim.control("new --name=zd-fixed")
        let app = try sim.makeApp("zd-fixed", pattern: .compose, page: "v1", config: "compose:\n  file: compose.yaml\n")
        let template = """
            services:
              app:
                image: ${EXE_DEPLOY_IMAGE}
                restart: always
                ports:
                  - "8080:8080"
            """
        try Data(template.utf8).write(to: URL(fileURLWithPath: app + "/compose.yaml"))
        let first = try await sim.cli(["deploy"], in: app)
        try #require(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("binds the fixed host port 8080"), "\(first.stderr)")
        #expect(first.stderr.contains("updating in place"), "\(first.stderr)")
        let url = try #require(try await sim.vm("zd-fixed")?["https_url"] as? String)
        #expect(try await sim.get(url).body.contains("v1"))
    }

    @Test("Pattern A blue-green: requests fail only inside the swap's window (between the two renames, execore/ssh_rename_command.go)")
    func blueGreenWindow() async throws {
        let sim = try self.sim
        let app = try sim.makeApp("zd-swap", page: "v1")
        let first = try await sim.cli(["deploy"], in: app)
        try #require(first.status == 0, "first deploy: \(first.stderr)")
        _ = try await sim.control("share set-public zd-swap")
        let url = try #require(try await sim.vm("zd-swap")?["https_url"] as? String)
        let token = try await sim.harness.mintVMToken(key: sim.key, vm: "zd-swap", label: "zd-swap-loop")
        try sim.write(.serves, page: "v2", in: app)
        var output: ProcessOutput?
        let loop = try await underLoad(url, token: token) {
            output = try await sim.cli(["deploy"], in: app)
        }
        let deployed = try #require(output)
        try #require(deployed.status == 0, "\(deployed.stderr)")
        let timing = try #require(deployed.stdout.split(separator: "\n").first { $0.hasPrefix("timing:") }, "\(deployed.stdout)")
        let window = try #require(Self.seconds(of: "window", in: String(timing)), "the timing line names the window: \(timing)")
        #expect(timing.contains("aside ") && timing.contains("retire "), "\(timing)")
        #expect(loop.bodies.last?.contains("v2") == true, "\(loop.bodies)")
        let kept = try await sim.vmNames().filter { $0.hasPrefix("zd-swap-p") }
        #expect(kept.count == 1, "the previous release is kept (--keep-releases 1): \(kept)")
        if let name = kept.first { #expect(try await sim.vm(name)?["status"] as? String == "paused") }
        if let firstFailure = loop.failures.first, let lastFailure = loop.failures.last {
            // Every failure falls inside one stretch no longer than the window
            // (plus one request's latency and the timing line's rounding).
            let span = Double(RequestLoopReport.milliseconds(lastFailure.at - firstFailure.at)) / 1000
            #expect(span <= window + 1.0, "failures spread over \(span) s, the window was \(window) s: \(loop)")
        }
        _ = try await sim.harness.ssh("ssh-key remove zd-swap-loop", key: sim.key)
    }

    /// `phase 1.2s` in a timing line.
    static func seconds(of phase: String, in timing: String) -> Double? {
        guard let range = timing.range(of: " \(phase) ") else { return nil }
        let rest = timing[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(rest)
    }
}
