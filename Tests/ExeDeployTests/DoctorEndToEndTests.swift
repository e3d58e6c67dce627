import ExeControl
import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// `exe-cli doctor` through the built binary against exe-sim: one scenario
/// per fix the seed's troubleshooting checklist names. The sim's behaviour
/// each scenario relies on: the proxy's login redirect for private VMs and
/// VM-scoped tokens (exeweb/proxy.go, execore/ssh_key_generate_api_key.go),
/// `share port`/`set-public` (execore/ssh_share.go), `pause`
/// (docs/content typescript-sandboxes.md), `stat` (execore/ssh_stat_command.go),
/// and a VM's docker through exe-sim's shim (podman).
@Suite("exe-cli doctor against exe-sim", .serialized, .deploySimulator)
struct DoctorEndToEndTests {
    var sim: DeploySimulator { get throws { try DeploySimulatorScope.simulator } }

    /// `exe-cli doctor ARGUMENTS --json` in `directory`: exit status, the
    /// report, and its checks by id.
    func doctor(_ arguments: [String] = [], in directory: String) async throws -> (status: Int32, report: [String: Any], checks: [String: [String: Any]], output: ProcessOutput) {
        let output = try await sim.cli(["doctor"] + arguments + ["--json"], in: directory)
        let report = try JSONOutput.object(output.stdout)
        let list = try #require(report["checks"] as? [[String: Any]], "no checks: \(output.stdout)\n\(output.stderr)")
        var checks: [String: [String: Any]] = [:]
        for check in list { checks[check["id"] as? String ?? ""] = check }
        let token = try sim.registryToken.reveal()
        #expect(!output.stdout.contains(token) && !output.stderr.contains(token), "the registry token never appears")
        return (output.status, report, checks, output)
    }

    func status(_ checks: [String: [String: Any]], _ id: String) -> String? { checks[id]?["status"] as? String }

    func evidence(_ checks: [String: [String: Any]], _ id: String) -> String { checks[id]?["evidence"] as? String ?? "" }

    func fixCommand(_ checks: [String: [String: Any]], _ id: String) -> String? { (checks[id]?["fix"] as? [String: Any])?["command"] as? String }

    func notOK(_ checks: [String: [String: Any]]) -> [String] {
        checks.filter { $0.value["status"] as? String != "ok" }.map { "\($0.key): \($0.value["status"] ?? "") \($0.value["evidence"] ?? "")" }.sorted()
    }

    /// A Pattern A app, deployed and public as its config says.
    func publicApp(_ name: String) async throws -> String {
        let sim = try self.sim
        let app = try sim.makeApp(name, config: "replace:\n  public: true\n")
        let deployed = try await sim.cli(["deploy", "--json"], in: app)
        try #require(deployed.status == 0, "deploy \(name): \(deployed.stderr)")
        return app
    }

    /// A Pattern B app on a VM made for it, deployed with an env file.
    func composeApp(_ name: String) async throws -> (directory: String, image: String) {
        let sim = try self.sim
        _ = try await sim.control("new --name=\(name)")
        let app = try sim.makeApp(name, pattern: .compose)
        try Data("GREETING=doctor-secret-value\n".utf8).write(to: URL(fileURLWithPath: app + "/.env.production"))
        let deployed = try await sim.cli(["deploy", "--env-file", ".env.production", "--json"], in: app)
        try #require(deployed.status == 0, "deploy \(name): \(deployed.stderr)")
        return (app, try #require(try JSONOutput.object(deployed.stdout)["image"] as? String))
    }

    @Test("shared port differs from the app's: ✗ naming share port; --fix sets it and a second run is clean")
    func sharedPortDiffers() async throws {
        let sim = try self.sim
        let app = try await publicApp("doctor-port")
        let healthy = try await doctor(in: app)
        #expect(healthy.status == 0, "\(notOK(healthy.checks))")

        _ = try await sim.control("share port doctor-port 3000")
        // execore/ssh_share.go handleSharePortCmd keeps the share: still public.
        #expect(try await sim.control("share show doctor-port")["status"] as? String == "public")
        let broken = try await doctor(in: app)
        #expect(broken.status == 1)
        #expect(status(broken.checks, "proxy.port") == "failed")
        let evidence = evidence(broken.checks, "proxy.port")
        #expect(evidence.contains("3000") && evidence.contains("8080"), "\(evidence)")
        #expect(fixCommand(broken.checks, "proxy.port") == "exe-cli vm share port doctor-port 8080")
        #expect((broken.checks["proxy.port"]?["fix"] as? [String: Any])?["safe"] as? Bool == true)
        #expect(status(broken.checks, "proxy.url") == "failed", "the proxy finds nothing on 3000")

        let fixed = try await sim.cli(["doctor", "--fix", "--yes"], in: app)
        #expect(fixed.status == 0, "\(fixed.stdout)\n\(fixed.stderr)")
        #expect(fixed.stdout.contains("fixed proxy.port: exe-cli vm share port doctor-port 8080"), "\(fixed.stdout)")
        #expect(try await sim.control("share show doctor-port")["port"] as? Int == 8080)
        let again = try await doctor(in: app)
        #expect(again.status == 0, "\(notOK(again.checks))")
        #expect(status(again.checks, "proxy.port") == "ok" && status(again.checks, "proxy.url") == "ok")
        _ = try await sim.control("rm doctor-port")
    }

    @Test("a private VM that exe.deploy.yaml says is public: ✗ naming set-public; --fix makes it public and a second run is clean")
    func privateButConfiguredPublic() async throws {
        let sim = try self.sim
        let app = try await publicApp("doctor-open")
        _ = try await sim.control("share set-private doctor-open")
        let text = try await sim.cli(["doctor"], in: app)
        #expect(text.status == 1)
        #expect(text.stdout.contains("✗ public or private"), "\(text.stdout)")
        #expect(text.stdout.contains("fix: exe-cli vm share set-public doctor-open   (--fix applies it)"), "\(text.stdout)")
        let broken = try await doctor(in: app)
        #expect(status(broken.checks, "proxy.visibility") == "failed")
        // Private: the anonymous request meets the login, the doctor's VM-scoped token gets through.
        let url = evidence(broken.checks, "proxy.url")
        #expect(url.contains("login redirect") && url.contains("with a VM-scoped token: 200"), "\(url)")
        let keys = try await sim.harness.ssh("ssh-key list --json", key: sim.key)
        #expect(!keys.stdout.contains("exe-deploy-health-"), "the doctor's token is revoked: \(keys.stdout)")

        let fixed = try await doctor(["--fix", "--yes"], in: app)
        #expect(fixed.status == 0)
        let repairs = fixed.report["repairs"] as? [[String: Any]] ?? []
        #expect(repairs.map { $0["check"] as? String } == ["proxy.visibility"] && repairs.first?["applied"] as? Bool == true, "\(repairs)")
        #expect(try await sim.control("share show doctor-open")["status"] as? String == "public")
        let again = try await doctor(in: app)
        #expect(again.status == 0, "\(notOK(again.checks))")
        #expect(status(again.checks, "proxy.visibility") == "ok")
        _ = try await sim.control("rm doctor-open")
    }

    @Test("a paused VM: ✗ naming resume, the VM's checks skipped, and the doctor ends (no exe.deploy.yaml: the VM argument)")
    func pausedVM() async throws {
        let sim = try self.sim
        _ = try await sim.control("new --name=doctor-nap")
        _ = try await sim.control("pause doctor-nap")
        let empty = sim.scratch.file("apps/doctor-empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let started = ContinuousClock.now
        let paused = try await doctor(["doctor-nap", "--deadline", "10"], in: empty)
        #expect(ContinuousClock.now - started < .seconds(90))
        #expect(paused.status == 1)
        #expect(status(paused.checks, "vm.status") == "failed")
        #expect(fixCommand(paused.checks, "vm.status") == "exe-cli vm resume doctor-nap")
        #expect(status(paused.checks, "proxy.url") == "skipped")
        #expect(status(paused.checks, "vm.ssh") == "skipped" && status(paused.checks, "registry.pull") == "skipped")
        #expect(evidence(paused.checks, "registry.pull") == "the VM is paused")
        #expect(status(paused.checks, "local.config") == "warning")
        #expect(paused.report["vm"] as? String == "doctor-nap")
        let noName = try await sim.cli(["doctor"], in: empty)
        #expect(noName.status == 2 && noName.stderr.contains("name the VM"), "\(noName.stderr)")
        _ = try await sim.control("resume doctor-nap")
        _ = try await sim.control("rm doctor-nap")
    }

    @Test("Pattern B: a healthy app is ✓ everywhere; then .env.production 0644, then missing, then a registry credential that no longer works")
    func composeFiles() async throws {
        let sim = try self.sim
        let (app, image) = try await composeApp("doctor-shop")
        let healthy = try await doctor(in: app)
        #expect(healthy.status == 0)
        #expect(notOK(healthy.checks).isEmpty, "every check is ✓: \(notOK(healthy.checks))")
        // A side-by-side deploy (issue 16) runs the web service in a slot
        // named after its port: `app-8080` or `app-8081`.
        let webContainer = healthy.checks.keys.first { $0.hasPrefix("container.app-") } ?? "container.app"
        for id in ["control.reachable", "control.account", "control.region", "vm.exists", "vm.status", "vm.usage", "vm.ssh", "proxy.port", "proxy.visibility",
            "proxy.url", webContainer, "containers.image", "compose.file", "compose.env_file", "compose.volumes", "deploy.lock", "registry.pull",
            "local.dockerfile", "local.config"]
        {
            #expect(healthy.checks[id] != nil, "\(id) is checked")
        }
        let order = (healthy.report["checks"] as? [[String: Any]] ?? []).compactMap { $0["section"] as? String }
        #expect(order == order.sorted { sectionIndex($0) < sectionIndex($1) }, "sections in the checklist's order: \(order)")
        #expect(healthy.checks["registry.pull"]?["evidence"] as? String == "pulled \(image) with the VM's credentials")
        #expect(evidence(healthy.checks, "containers.image").contains("the container runs that digest"), "\(healthy.checks["containers.image"] ?? [:])")
        let text = try await sim.cli(["doctor"], in: app)
        #expect(text.status == 0 && text.stdout.contains("all 19 checks passed"), "\(text.stdout)")

        #expect(try await sim.onVM("doctor-shop", "chmod 644 /data/.env.production").status == 0)
        let readable = try await doctor(in: app)
        #expect(readable.status == 1)
        #expect(status(readable.checks, "compose.env_file") == "failed")
        #expect(evidence(readable.checks, "compose.env_file").contains("mode 0644"))
        #expect(fixCommand(readable.checks, "compose.env_file") == "exe-cli vm exec doctor-shop -- chmod 600 /data/.env.production")

        #expect(try await sim.onVM("doctor-shop", "rm /data/.env.production").status == 0)
        let missing = try await doctor(in: app)
        #expect(missing.status == 1)
        #expect(evidence(missing.checks, "compose.env_file").contains("is missing"))
        #expect(fixCommand(missing.checks, "compose.env_file") == "exe-cli deploy --env-file .env.production")
        #expect(!missing.output.stdout.contains("doctor-secret-value"))

        // exe-sim's docker keeps the VM's logins in /run/exe-sim/vm/auth.json
        // (docker's ~/.docker/config.json): a stale token there.
        let stale = Data("\(sim.harness.registryUser):revoked-token".utf8).base64EncodedString()
        let broke = try await sim.onVM(
            "doctor-shop", "printf '%s' '{\"auths\":{\"\(sim.harness.registry)\":{\"auth\":\"\(stale)\"}}}' > /run/exe-sim/vm/auth.json")
        try #require(broke.status == 0, "\(broke.stderr)")
        let denied = try await doctor(in: app)
        #expect(denied.status == 1)
        #expect(status(denied.checks, "registry.pull") == "failed", "\(denied.checks["registry.pull"] ?? [:])")
        #expect(
            fixCommand(denied.checks, "registry.pull")
                == "printf %s \"$EXE_REGISTRY_PASSWORD\" | exe-cli vm exec doctor-shop -- sudo docker login \(sim.harness.registry) -u \(sim.harness.registryUser) --password-stdin")
        _ = try await sim.control("rm doctor-shop")
    }

    @Test("the deployed tag is pushed again and the VM runs the new push: containers.image is ! with both digests, naming exe-cli deploy")
    func movedTag() async throws {
        let sim = try self.sim
        let (app, image) = try await composeApp("doctor-moved")
        let deployed = try #require(ImageReference(image))
        let before = try await doctor(in: app)
        #expect(status(before.checks, "containers.image") == "ok", "\(before.checks["containers.image"] ?? [:])")

        // Someone builds another page and pushes it under the deployed tag,
        // then the VM pulls it and recreates the container by hand.
        try sim.write(.serves, page: "v2-moved", in: app)
        let pushed = try await BuildahBuilder().build(
            ImageBuildRequest(
                repository: try #require(ImageReference(deployed.repository)),
                tag: try #require(deployed.tag), contextDirectory: app, dockerfile: app + "/Dockerfile", platform: "linux/amd64",
                credentials: RegistryCredentials(username: sim.harness.registryUser, password: sim.registryToken)),
            runner: LocalProcessRunner(), steps: SilentSteps())
        let newDigest = try #require(pushed.digest)
        let recreate = try await sim.onVM(
            "doctor-moved", "sudo docker compose -f /data/doctor-moved.compose.yaml up -d --pull always")
        try #require(recreate.status == 0, "\(recreate.stderr)")

        let after = try await doctor(in: app)
        #expect(after.status == 0, "a warning does not fail the doctor")
        #expect(status(after.checks, "containers.image") == "warning", "\(after.checks["containers.image"] ?? [:])")
        #expect(evidence(after.checks, "containers.image").contains(newDigest))
        #expect(fixCommand(after.checks, "containers.image") == "exe-cli deploy")
        _ = try await sim.control("rm doctor-moved")
    }

    @Test("hand-written compose files: a crashed container (exit code and last log lines), then a volume outside /data")
    func composeContainers() async throws {
        let sim = try self.sim
        let (app, image) = try await composeApp("doctor-crash")
        func up(_ service: String) async throws {
            let file = "name: doctor-crash\nservices:\n  app:\n    image: \(image)\n    container_name: doctor-crash\n    ports: [\"8080:8080\"]\n\(service)"
            let result = try await sim.onVM(
                "doctor-crash", "cat > /data/doctor-crash.compose.yaml && sudo docker compose -f /data/doctor-crash.compose.yaml up -d --remove-orphans",
                standardInput: Data(file.utf8))
            try #require(result.status == 0, "\(result.stderr)")
        }
        try await up(
            "    volumes: [\"/data:/data\"]\n    entrypoint: [\"/bin/busybox\", \"sh\", \"-c\", \"echo booting; echo 'fatal: cannot reach the database' >&2; exit 3\"]\n")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let ps = try await sim.onVM("doctor-crash", "sudo docker ps -a --format '{{.Names}} {{.Status}}'")
            if ps.stdout.contains("doctor-crash Exited") { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        let crashed = try await doctor(in: app)
        #expect(crashed.status == 1)
        let container = try #require(crashed.checks["container.app"])
        #expect(container["status"] as? String == "failed")
        #expect(evidence(crashed.checks, "container.app").contains("exit code 3"), "\(container)")
        let details = container["details"] as? [String] ?? []
        #expect(details.contains("fatal: cannot reach the database"), "\(container)")
        #expect(fixCommand(crashed.checks, "container.app") == "exe-cli vm exec doctor-crash -- sudo docker restart doctor-crash")
        let text = try await sim.cli(["doctor"], in: app)
        #expect(text.stdout.contains("| fatal: cannot reach the database"), "\(text.stdout)")
        #expect(text.stdout.contains("✗ doctor-crash (app)"), "\(text.stdout)")

        try await up("    volumes: [\"appdata:/var/lib/app\", \"/data:/data\"]\nvolumes:\n  appdata: {}\n")
        let outside = try await doctor(in: app)
        #expect(outside.status == 1)
        #expect(status(outside.checks, "compose.volumes") == "failed")
        #expect(evidence(outside.checks, "compose.volumes").contains("app: appdata:/var/lib/app"))
        #expect(fixCommand(outside.checks, "compose.volumes") == "in the compose file, service app: volumes: - /data/appdata:/var/lib/app")
        #expect(status(outside.checks, "container.app") == "ok", "\(notOK(outside.checks))")
        _ = try await sim.control("rm doctor-crash")
    }

    @Test("a VM whose docker hangs: that check is a timeout after --deadline, the rest of the VM's checks are skipped, and the doctor ends")
    func hungVM() async throws {
        let sim = try self.sim
        let (app, _) = try await composeApp("doctor-hang")
        // compose.docker is the program the doctor runs docker with on the
        // VM (its words, each quoted): one that never returns is a VM whose
        // docker hangs.
        let hang = try await sim.onVM("doctor-hang", "printf '#!/bin/sh\\nexec sleep 300\\n' > /data/hung-docker && chmod 755 /data/hung-docker")
        #expect(hang.status == 0, "\(hang.stderr)")
        let config = try String(contentsOfFile: app + "/exe.deploy.yaml", encoding: .utf8)
        try (config + "compose:\n  docker: \"/data/hung-docker\"\n").write(toFile: app + "/exe.deploy.yaml", atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let hung = try await doctor(["--deadline", "3"], in: app)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(60), "\(elapsed)")
        #expect(hung.status == 1)
        #expect(status(hung.checks, "containers") == "failed", "\(hung.checks["containers"] ?? [:])")
        #expect(evidence(hung.checks, "containers") == "no answer within 3s")
        #expect(status(hung.checks, "registry.pull") == "skipped")
        #expect(evidence(hung.checks, "registry.pull").contains("doctor-hang stopped answering"))
        #expect(status(hung.checks, "proxy.url") == "ok", "the checks after the VM's still ran")
        #expect(status(hung.checks, "local.config") == "ok")
        _ = try await sim.control("rm doctor-hang")
    }

    func sectionIndex(_ section: String) -> Int {
        ["control", "vm", "proxy", "containers", "compose", "registry", "local"].firstIndex(of: section) ?? 99
    }
}
