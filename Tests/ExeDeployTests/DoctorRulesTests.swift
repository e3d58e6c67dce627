import ExeControl
@testable import ExeDeploy
import ExeSystem
import Foundation
import Testing

/// The doctor's judgements without I/O: observations in, checks out.
@Suite("doctor rules")
struct DoctorRulesTests {
    @Test("a shared port other than the app's is ✗ with the share port fix --fix may apply; the same port is ✓")
    func sharedPort() {
        let wrong = DoctorRules.sharedPort(3000, expected: 8080, expectedSource: "port: in exe.deploy.yaml", vm: "shop")
        #expect(wrong.status == .failed)
        #expect(wrong.evidence.contains("3000") && wrong.evidence.contains("8080"))
        #expect(wrong.fix == DoctorFix("exe-cli vm share port shop 8080", repair: .sharePort(vm: "shop", port: 8080)))
        #expect(wrong.fix?.safe == true)
        #expect(DoctorRules.sharedPort(8080, expected: 8080, expectedSource: "x", vm: "shop").status == .ok)
        #expect(DoctorRules.sharedPort(nil, expected: 8080, expectedSource: "x", vm: "shop").fix?.repair == .sharePort(vm: "shop", port: 8080))
        #expect(DoctorRules.sharedPort(8000, expected: nil, expectedSource: "", vm: "shop").status == .ok)
    }

    @Test("private while the config says public is ✗ with set-public (safe); public while it says private is ! with set-private (not applied)")
    func visibility() {
        let closed = DoctorRules.visibility(.private, configured: true, vm: "shop")
        #expect(closed.status == .failed)
        #expect(closed.fix?.repair == .setPublic(vm: "shop"))
        let open = DoctorRules.visibility(.public, configured: false, vm: "shop")
        #expect(open.status == .warning)
        #expect(open.fix?.command == "exe-cli vm share set-private shop" && open.fix?.safe == false)
        #expect(DoctorRules.visibility(.public, configured: true, vm: "shop").status == .ok)
        #expect(DoctorRules.visibility(.private, configured: nil, vm: "shop").status == .ok)
    }

    @Test("paused and stopped VMs are ✗ naming resume and restart; a missing VM names how to make it per pattern")
    func vmState() throws {
        let paused = DoctorRules.vmState(VM(name: "shop", status: .paused), name: "shop", pattern: .replace)
        #expect(paused.map(\.status) == [.ok, .failed])
        #expect(paused[1].fix?.command == "exe-cli vm resume shop")
        #expect(DoctorRules.vmState(VM(name: "shop", status: .stopped), name: "shop", pattern: nil)[1].fix?.command == "exe-cli vm restart shop")
        #expect(DoctorRules.vmState(nil, name: "shop", pattern: .replace)[0].fix?.command == "exe-cli deploy")
        #expect(DoctorRules.vmState(nil, name: "shop", pattern: .compose)[0].fix?.command == "exe-cli vm new --name=shop")
        #expect(DoctorRules.vmState(VM(name: "shop", status: .running), name: "shop", pattern: nil).allSatisfy { $0.status == .ok })
        #expect(DoctorRules.ssh(connected: "root@127.0.0.1:2201", failure: nil, vm: "shop").status == .ok)
        let refused = DoctorRules.ssh(connected: nil, failure: "host key changed", vm: "shop")
        #expect(refused.status == .failed && refused.evidence == "host key changed" && refused.fix?.command.hasPrefix("exe-cli -v vm exec shop") == true)
    }

    @Test("stat: disk at 95% of its size is a warning naming resize; low use is ✓ with the figures")
    func usage() throws {
        func stats(_ point: String) throws -> VMStats {
            try JSONDecoder().decode(VMStats.self, from: Data(#"{"name":"shop","points":[\#(point)]}"#.utf8))
        }
        let full = DoctorRules.usage(
            try stats(#"{"cpu_cores":0.5,"cpu_nominal":2,"memory_used_gb":1,"memory_nominal_gb":8,"disk_used_gb":19,"disk_size_gb":20}"#), vm: "shop")
        #expect(full.status == .warning)
        #expect(full.evidence.contains("disk 19/20 GB") && full.evidence.contains("disk near the limit"))
        #expect(full.fix?.command == "exe-cli vm resize shop --disk SIZE")
        let calm = DoctorRules.usage(try stats(#"{"cpu_cores":0.5,"cpu_nominal":2,"disk_used_gb":1,"disk_size_gb":20}"#), vm: "shop")
        #expect(calm.status == .ok && calm.evidence == "cpu 0.5/2 cores, disk 1/20 GB")
    }

    @Test("the URL: a login redirect with no token is what a private VM says; 502 names the port; a token's 200 is ✓")
    func url() {
        let login = DoctorRules.HTTPProbeAnswer(status: 307, location: "https://exe.dev/login?redirect=x")
        let ok = DoctorRules.url(
            DoctorRules.URLAnswer(url: "https://shop.exe.xyz/", anonymous: .success(login), withToken: .success(.init(status: 200))),
            expectedStatus: 200, sharedPort: 8080, vm: "shop", pattern: .replace)
        #expect(ok.status == .ok)
        #expect(ok.evidence == "GET https://shop.exe.xyz/: 307 (login redirect); with a VM-scoped token: 200")
        let bad = DoctorRules.url(
            DoctorRules.URLAnswer(url: "https://shop.exe.xyz/", anonymous: .success(.init(status: 502))), expectedStatus: 200, sharedPort: 3000,
            vm: "shop", pattern: .replace)
        #expect(bad.status == .failed && bad.evidence.contains("port 3000"))
        let wall = DoctorRules.url(
            DoctorRules.URLAnswer(url: "https://shop.exe.xyz/", anonymous: .success(login)), expectedStatus: 200, sharedPort: 8080, vm: "shop",
            pattern: .replace)
        #expect(wall.status == .failed && wall.fix?.command.contains("set-public") == true)
        let silent = DoctorRules.url(
            DoctorRules.URLAnswer(url: "https://shop.exe.xyz/", anonymous: .failure(.init("timed out"))), expectedStatus: 200, sharedPort: 8080,
            vm: "shop", pattern: .compose)
        #expect(silent.status == .failed && silent.evidence.contains("no answer (timed out)"))
    }

    @Test("an exited container is ✗ with its exit code, its last log lines and a restart --fix may apply; Up is ✓; Restarting is !")
    func containers() {
        let rows = DoctorRules.containerRows("shop\treg/shop:1\tExited (3) 2 minutes ago\nworker\treg/w:1\tUp 5 minutes\nbad line\n")
        #expect(rows.count == 2)
        #expect(rows[0].exitCode == 3 && rows[1].exitCode == nil)
        let expected = ComposeContainer(service: "app", name: "shop", image: "reg/shop:1")
        let crashed = DoctorRules.container(expected, row: rows[0], logTail: ["fatal: no database"], vm: "shop", docker: "sudo docker")
        #expect(crashed.status == .failed)
        #expect(crashed.evidence == "Exited (3) 2 minutes ago (exit code 3)")
        #expect(crashed.details == ["fatal: no database"])
        #expect(crashed.fix == DoctorFix("exe-cli vm exec shop -- sudo docker restart shop", repair: .restartContainer(vm: "shop", container: "shop")))
        #expect(DoctorRules.container(expected, row: rows[1], logTail: [], vm: "shop", docker: "docker").status == .ok)
        let looping = DoctorRules.ContainerRow(name: "shop", image: "x", status: "Restarting (1) 3 seconds ago")
        #expect(DoctorRules.container(expected, row: looping, logTail: [], vm: "shop", docker: "docker").status == .warning)
        #expect(DoctorRules.container(expected, row: nil, logTail: [], vm: "shop", docker: "docker").status == .failed)
    }

    @Test("volumes: named volumes and host paths outside /data are ✗ (data missing after deploy); /data and ./relative are ✓")
    func volumes() throws {
        let text = """
            services:
              db:
                image: postgres
                volumes:
                  - pgdata:/var/lib/postgresql/data
                  - /data/db-conf:/etc/conf:ro
              cache:
                image: redis
                volumes:
                  - type: bind
                    source: /var/lib/redis
                    target: /data
                  - type: tmpfs
                    target: /tmp
              web:
                image: web
                volumes: ["./uploads:/uploads", "/data:/data", "/data/../etc:/x"]
            volumes:
              pgdata: {}
            """
        let found = try #require(DoctorRules.volumesOutsideData(in: text))
        #expect(found.outside.map(\.source) == ["/var/lib/redis", "pgdata", "/data/../etc"])
        let check = DoctorRules.volumes(composeText: text)
        #expect(check.status == .failed && check.evidence.contains("db: pgdata:/var/lib/postgresql/data"))
        #expect(check.fix?.command.contains("/data/") == true && check.fix?.safe == false)
        #expect(DoctorRules.volumes(composeText: "services:\n  app:\n    image: x\n    volumes: [\"/data:/data\"]\n").status == .ok)
        #expect(DoctorRules.volumes(composeText: "not: [compose").status == .failed)
    }

    @Test("the env file: missing while named is ✗, 0644 is ✗ naming chmod 600, 0600 is ✓, unused and absent is ✓")
    func environmentFile() {
        #expect(DoctorRules.environmentFile(permissions: nil, referenced: true, vm: "shop").status == .failed)
        let open = DoctorRules.environmentFile(permissions: 0o644, referenced: true, vm: "shop")
        #expect(open.status == .failed && open.evidence.contains("0644"))
        #expect(open.fix?.command == "exe-cli vm exec shop -- chmod 600 /data/.env.production")
        #expect(DoctorRules.environmentFile(permissions: 0o600, referenced: true, vm: "shop").status == .ok)
        #expect(DoctorRules.environmentFile(permissions: nil, referenced: false, vm: "shop").status == .ok)
    }

    @Test("published ports: HOST:CONTAINER gives the VM port, long syntax too; the Dockerfile's EXPOSE against port:")
    func ports() {
        #expect(DoctorRules.publishedPort(in: "services:\n  app:\n    ports: [\"8000:80\"]\n", service: "app") == 8000)
        #expect(DoctorRules.publishedPort(in: "services:\n  app:\n    ports: [\"127.0.0.1:9000:80/tcp\"]\n", service: "app") == 9000)
        #expect(DoctorRules.publishedPort(in: "services:\n  app:\n    ports:\n      - target: 80\n        published: 7000\n", service: "x") == 7000)
        #expect(DoctorRules.publishedPort(in: "services:\n  app:\n    ports: [\"80\"]\n", service: "app") == nil)
        #expect(DoctorRules.dockerfile(path: "Dockerfile", exposed: .some(3000), port: 8080).status == .failed)
        #expect(DoctorRules.dockerfile(path: "Dockerfile", exposed: .some(8080), port: 8080).status == .ok)
        #expect(DoctorRules.dockerfile(path: "Dockerfile", exposed: .some(nil), port: 8080).status == .warning)
        #expect(DoctorRules.dockerfile(path: "Dockerfile", exposed: nil, port: 8080).status == .skipped)
    }

    @Test("a registry pull failure is ✗ naming docker login through vm exec with the token from its variable, never the token")
    func registry() {
        let check = DoctorRules.registry(
            image: "127.0.0.1:5000/shop:1", failure: "pull access denied", user: "ci", passwordEnv: "EXE_REGISTRY_PASSWORD", vm: "shop",
            docker: "sudo docker")
        #expect(check.status == .failed)
        #expect(check.fix?.command == #"printf %s "$EXE_REGISTRY_PASSWORD" | exe-cli vm exec shop -- sudo docker login 127.0.0.1:5000 -u ci --password-stdin"#)
        #expect(DoctorRules.registry(image: "x", failure: nil, user: nil, passwordEnv: "P", vm: "shop", docker: "docker").status == .ok)
    }

    @Test("the image against the audit log: equal is ✓ with the digest, another image or no record is !")
    func image() {
        let record = DeployAuditRecord(
            time: Date(), action: "deploy", actor: "a", host: "h", app: "shop", vm: "shop", image: "reg/shop:2", digest: "sha256:ab",
            previousImage: nil, result: "deployed")
        #expect(DoctorRules.image(live: "reg/shop:2", running: "reg/shop:2", recorded: record).status == .ok)
        #expect(DoctorRules.image(live: "reg/shop:1", running: nil, recorded: record).status == .warning)
        #expect(DoctorRules.image(live: "reg/shop:2", running: nil, recorded: nil).status == .warning)
    }

    @Test("the running container's digest against the one the last deploy pushed: the same is ✓, another is ! naming exe-cli deploy")
    func runningDigest() {
        let record = DeployAuditRecord(
            time: Date(), action: "deploy", actor: "a", host: "h", app: "shop", vm: "shop", image: "reg/shop:2", digest: "sha256:ab",
            previousImage: nil, result: "deployed")
        let same = DoctorRules.image(live: "reg/shop:2", running: "reg/shop:2", recorded: record, runningDigests: ["reg/shop@sha256:ab"])
        #expect(same.status == .ok && same.evidence.contains("the container runs that digest"))
        let moved = DoctorRules.image(
            live: "reg/shop:2", running: "reg/shop:2", recorded: record, runningDigests: ["reg/shop@sha256:cd", "mirror/shop@sha256:ef"])
        #expect(moved.status == .warning)
        #expect(moved.evidence.contains("sha256:cd, sha256:ef") && moved.evidence.contains("pushed sha256:ab"))
        #expect(moved.fix?.command == "exe-cli deploy")
        // A prefix of the digest is not the digest.
        #expect(DoctorRules.image(live: "reg/shop:2", running: nil, recorded: record, runningDigests: ["reg/shop@sha256:abc"]).status == .warning)
        let loaded = DoctorRules.image(live: "reg/shop:2", running: nil, recorded: record, runningDigests: [])
        #expect(loaded.status == .ok && loaded.evidence.contains("no registry digest"))
    }

    @Test("control plane: a rejected host key or key is ✗ and skips what depends on it; the report fails on ✗ only")
    func controlAndReport() {
        let hostKey = DoctorRules.control(.failure(ControlError(.hostKeyRejected, "host key mismatch")))
        #expect(hostKey.map(\.status) == [.failed, .skipped, .skipped])
        #expect(hostKey[0].fix?.command.contains("--host-key-policy accept-new") == true)
        let unknownKey = DoctorRules.control(.failure(ControlError(.authenticationFailed, "no key")))
        #expect(unknownKey.map(\.status) == [.ok, .failed, .skipped])

        let port = DoctorRules.sharedPort(3000, expected: 8080, expectedSource: "x", vm: "shop")
        var report = DoctorReport(app: "shop", vm: "shop", pattern: .replace, checks: [port, DoctorCheck("a", .vm, "a", .warning, "w")])
        #expect(!report.passed && report.repairable.map(\.id) == ["proxy.port"])
        report.checks = [DoctorCheck("a", .vm, "a", .warning, "w"), .skipped("b", .vm, "b", "paused")]
        #expect(report.passed, "warnings and skipped checks do not fail")
    }

    @Test("a step past its deadline ends as a timeout while the step is still hung")
    func deadline() async throws {
        let start = ContinuousClock.now
        await #expect(throws: DoctorDeadline.Expired.self) {
            try await DoctorDeadline.run(seconds: 1) { () async throws -> Int in
                // Ignores cancellation, like a hung channel.
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
                }
                return 1
            }
        }
        // Far sooner than the hung step's 30 s, with room for a loaded machine.
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(try await DoctorDeadline.run(seconds: 5) { 42 } == 42)
    }
}
