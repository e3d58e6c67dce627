import ExeControl
@testable import ExeDeploy
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Testing

/// Deploy behaviour that exe-sim cannot show: a proxy that enforces private
/// shares, a `new` that times out, a lock held by someone on another host.
@Suite("Deploy against a scripted control plane: private health checks, half-made VMs, lock details")
struct ScriptedControlPlaneTests {
    static let vmShare = #"{"vm_name":"shop-web","status":"private","port":8080,"users":[],"links":[]}"#

    func context(_ control: ScriptedControlTransport, probe: any HTTPProbe = PrivateProxyProbe(token: "unused"), events: RecordedEvents? = nil)
        -> DeployContext
    {
        DeployContext(
            control: control.client, processRunner: RecordingProcessRunner([]),
            connect: { vm in throw DeployError(.vm, "no SSH to \(vm.name) in this test") }, httpProbe: probe,
            progress: { event in events?.record(event) })
    }

    @Test("a private VM's health check (Pattern A, B and status share it) sends a VM-scoped token and revokes it")
    func privateHealthCheck() async throws {
        let token = "vm-scoped-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let control = ScriptedControlTransport { line in
            if line.hasPrefix("share show") { return .prints(Self.vmShare) }
            if line.hasPrefix("ssh-key generate-api-key") { return .prints(#"{"label":"exe-deploy-health-1","token":"\#(token)"}"#) }
            if line.hasPrefix("ssh-key remove") { return .prints(#"{"name":"exe-deploy-health-1","status":"removed"}"#) }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
        let probe = PrivateProxyProbe(token: token)
        let check = HealthCheck(path: "/", expectedStatus: 200, timeout: .seconds(2), interval: .milliseconds(20))

        // Without the token the proxy only redirects to its login.
        let refused = await #expect(throws: DeployError.self) {
            try await check.wait(base: "https://shop-web.exe.xyz", probe: probe, clock: .system)
        }
        #expect(refused?.message.contains("the VM is private") == true)

        // Through HealthAccess (isPublic nil: Pattern B and status ask `share show`).
        var redactor = SecretRedactor([])
        var warnings: [String] = []
        var notes: [String] = []
        let observation = try await HealthAccess.wait(
            check, base: "https://shop-web.exe.xyz", vm: "shop-web", isPublic: nil, context: context(control, probe: probe),
            redactor: &redactor, warn: { warnings.append($0) }, note: { notes.append($0) })
        #expect(observation.attempts == 1 && warnings.isEmpty)
        #expect(probe.authorizations.last == .some("Bearer " + token))
        #expect(redactor.redact("token \(token)") == "token [REDACTED]")
        #expect(notes.first?.contains("VM-scoped token") == true && notes.allSatisfy { !$0.contains(token) })
        let lines = control.commandLines
        #expect(lines.contains { $0.hasPrefix("share show shop-web") })
        #expect(lines.contains { $0.hasPrefix("ssh-key generate-api-key") && $0.contains("--vm=shop-web") })
        #expect(lines.last?.hasPrefix("ssh-key remove exe-deploy-health-1") == true, "revoked: \(lines)")

        // A public VM needs no token (and gets none).
        let publicControl = ScriptedControlTransport { line in
            line.hasPrefix("share show") ? .prints(Self.vmShare.replacingOccurrences(of: "private", with: "public")) : ScriptedControlTransport.refusal("no")
        }
        let open = PrivateProxyProbe(token: token)
        await #expect(throws: DeployError.self) {
            try await HealthAccess.wait(
                check, base: "https://shop-web.exe.xyz", vm: "shop-web", isPublic: nil, context: context(publicControl, probe: open),
                redactor: &redactor, warn: { _ in })
        }
        #expect(open.authorizations.allSatisfy { $0 == nil } && !publicControl.commandLines.contains { $0.contains("generate-api-key") })
    }

    @Test("a held Pattern A lock names the holder, the host and the time")
    func heldTagLock() async throws {
        let taken = Date(timeIntervalSince1970: 1_763_825_400)
        let holder = DeployLockDetails(app: "shop-web", holder: "ci@Runner_7", host: "build-host.example.com", action: "deploy", acquiredAt: taken)
        let detailsTag = VMTagLock.detailsTag(holder)
        #expect(VMTag.isValid(detailsTag), "\(detailsTag)")
        let control = ScriptedControlTransport { line in
            if line.hasPrefix("tag shop-web exe-deploy-lock") { return ScriptedControlTransport.refusal(#"tag "exe-deploy-lock" already exists on shop-web"#) }
            if line.hasPrefix("ls shop-web") { return ScriptedControlTransport.list("shop-web", tags: ["exe-deploy-lock", detailsTag, "prod"]) }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
        let me = DeployLockDetails(app: "shop-web", holder: "alice@laptop", host: "laptop", action: "deploy", acquiredAt: taken.addingTimeInterval(60))
        let error = await #expect(throws: DeployError.self) {
            try await VMTagLock.acquire(
                me, control: control.client, vm: "shop-web", now: taken.addingTimeInterval(60), staleAfter: .seconds(900),
                unlockCommand: "exe-cli deploy unlock")
        }
        let message = try #require(error?.message)
        #expect(error?.kind == .lockHeld)
        #expect(message.contains("held by ci@Runner_7 (on build-host.example.com) since 2025-11-22T15:30:00Z, 60s ago"), "\(message)")
        #expect(!message.contains("stale") && message.contains("exe-cli deploy unlock"))
        // Tags written by earlier versions (no host) still read.
        let legacy = try #require(VMTagLock.holder(app: "a", tags: ["exe-deploy-lock", "exe-deploy-lock-1763825400-bob-laptop"]))
        #expect(legacy.holder == "bob-laptop" && legacy.host == "unknown" && legacy.acquiredAt == taken)
    }

    func blueGreenDeployer(_ control: ScriptedControlTransport, events: RecordedEvents, in directory: TemporaryDirectory) throws -> Deployer {
        // A plain configuration, made in code: no exe.deploy.yaml, no environment.
        let configuration = DeployConfiguration(
            app: "shop-web", pattern: .replace, repositoryRoot: directory.path, repository: ImageReference("registry.test/shop"),
            prebuiltImage: ImageReference("registry.test/shop:v2"), healthTimeout: .seconds(2), actor: "tester@unit", hostName: "unit",
            commandFlags: [])
        try configuration.validate()
        return Deployer(configuration: configuration, context: context(control, events: events))
    }

    static func lockAndShare(_ line: String) -> ScriptedControlTransport.Answer? {
        if line.hasPrefix("ls shop-web-g") {
            let name = line.split(separator: " ")[1]
            return ScriptedControlTransport.list(String(name))
        }
        if line.hasPrefix("ls shop-web") { return ScriptedControlTransport.list("shop-web") }
        // Every VM (a deploy looks for a waiting candidate release first): only the live one.
        if line == "ls --json" || line == "ls" { return ScriptedControlTransport.list("shop-web") }
        if line.hasPrefix("tag ") { return .prints(#"{"vm_name":"shop-web","tags":[]}"#) }
        if line.hasPrefix("share show shop-web") { return .prints(vmShare) }
        return nil
    }

    @Test("blue-green: a `new` that times out leaves no VM behind; the old VM keeps serving, the attempt is recorded")
    func halfMadeVMRemoved() async throws {
        let directory = try TemporaryDirectory(prefix: "exe-deploy-orphan")
        defer { directory.remove() }
        let control = ScriptedControlTransport { line in
            if let answer = Self.lockAndShare(line) { return answer }
            if line.hasPrefix("new ") { return .fails(ControlError(.timeout, "no answer from the control plane within 30s")) }
            if line.hasPrefix("rm shop-web-g") {
                let name = line.split(separator: " ")[1]
                return .prints(#"{"deleted":["\#(name)"],"failed":[]}"#)
            }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
        let events = RecordedEvents()
        let error = await #expect(throws: DeployError.self) { try await blueGreenDeployer(control, events: events, in: directory).deploy() }
        let report = try #require(error?.report)
        let lines = control.commandLines
        let created = try #require(lines.first { $0.hasPrefix("new ") })
        let temporary = try #require(created.split(separator: " ").first { $0.hasPrefix("--name=") }?.dropFirst("--name=".count))
        #expect(temporary.hasPrefix("shop-web-g"))
        #expect(lines.contains("rm \(temporary) --json"), "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("rm shop-web ") }, "the old VM is left alone")
        #expect(report.outcome == .restored)
        #expect(report.notes.contains("\(temporary) (made by the failed create) was removed"), "\(report.notes)")
        #expect(report.notes.contains("shop-web keeps serving the previous release"))
        let warnings = events.warnings
        #expect(warnings.contains { $0.hasPrefix("could not write the audit log on shop-web") }, "the failed attempt goes to the old VM's log: \(warnings)")
        #expect(lines.last?.hasPrefix("tag shop-web exe-deploy-lock exe-deploy-lock-") == true && lines.last?.contains(" --d ") == true, "the lock is released: \(lines)")
    }

    @Test("blue-green: when the half-made VM cannot be removed, the output names the command that removes it")
    func halfMadeVMLeft() async throws {
        let directory = try TemporaryDirectory(prefix: "exe-deploy-orphan-left")
        defer { directory.remove() }
        let control = ScriptedControlTransport { line in
            if let answer = Self.lockAndShare(line) { return answer }
            if line.hasPrefix("new ") { return .fails(ControlError(.transport, "connection reset")) }
            if line.hasPrefix("rm shop-web-g") { return .fails(ControlError(.transport, "connection reset")) }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
        let events = RecordedEvents()
        let error = await #expect(throws: DeployError.self) { try await blueGreenDeployer(control, events: events, in: directory).deploy() }
        let notes = error?.report?.notes ?? []
        #expect(notes.contains { $0.contains("may be left from the failed create; remove it with: exe-cli vm rm shop-web-g") }, "\(notes)")

        // A refusal that means no VM was made (a taken name) is not followed by a look-up or rm.
        let refused = ScriptedControlTransport { line in
            if let answer = Self.lockAndShare(line) { return answer }
            if line.hasPrefix("new ") { return ScriptedControlTransport.refusal("invalid VM name: this VM name is not available") }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
        _ = await #expect(throws: DeployError.self) { try await blueGreenDeployer(refused, events: events, in: directory).deploy() }
        #expect(!refused.commandLines.contains { $0.hasPrefix("rm ") || $0.hasPrefix("ls shop-web-g") }, "\(refused.commandLines)")
    }
}
