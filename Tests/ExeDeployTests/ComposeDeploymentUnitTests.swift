import ExeControl
@testable import ExeDeploy
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Synchronization
import Testing

/// Pattern B against a scripted control plane and an in-memory VM: the
/// lock, the compose and env files, the audit log and the restore, in
/// milliseconds. `DeployEndToEndTests` keeps the whole path through exe-sim.
@Suite("Pattern B against an in-memory VM")
struct ComposeDeploymentUnitTests {
    static let app = "shop"
    static let composeFile = "/data/shop.compose.yaml"
    static let lockDirectory = "/data/.exe-deploy/shop/lock"
    static let auditLog = "/data/.exe-deploy/shop/audit.jsonl"

    /// A VM with a writable /data whose docker runs every container of the
    /// live compose file, except those whose image contains `crashing`.
    static func vm() -> InMemoryRemoteHost {
        let vm = InMemoryRemoteHost(destination: SSHDestination(host: "shop.exe.xyz", port: 22, user: "user"))
        vm.files.makeDirectories("/data")
        vm.answer(when: { _ in true }) { _ in .exited(0) }  // docker compose pull / up / down, docker login
        vm.answer(prefix: "test -d /data") { _ in .exited(0) }
        vm.answer(containing: " exe-vm-lock ") { call in
            // VMDirectoryLock's acquire script: mkdir is the atomic test-and-set.
            call.files.makeDirectories("/data/.exe-deploy/shop")
            if call.files.makeDirectory(lockDirectory) {
                call.files.write(lockDirectory + "/details.json", .init(contents: call.stdin))
                return .exited(0)
            }
            return .exited(75, stdout: call.files.text(lockDirectory + "/details.json") ?? "")
        }
        vm.answer(prefix: "grep -qF") { call in
            call.files.removeTree(lockDirectory)
            return .exited(0)
        }
        vm.answer(containing: "cat >> ") { call in
            call.files.append(auditLog, call.stdin)
            return .exited(0)
        }
        vm.answer(containing: "docker ps -a") { call in
            let text = call.files.text(composeFile) ?? ""
            // The live release (shop) runs; the new one, beside it in slot
            // 8081 (ComposeWebSlot), runs unless its image is a crashing one.
            let state = text.contains("crashing") ? "exited" : "running"
            return .exited(0, stdout: text.contains("container_name") ? "shop\trunning\nshop-8081\t\(state)\n" : "")
        }
        vm.answer(containing: "docker logs") { _ in .exited(0, stdout: "panic: no config\n") }
        return vm
    }

    static func control() -> ScriptedControlTransport {
        ScriptedControlTransport { line in
            if line.hasPrefix("ls shop") {
                return .prints(
                    #"{"vms":[{"vm_name":"shop","status":"running","ssh_dest":"shop.exe.xyz","tags":[],"https_url":"https://shop.exe.xyz"}]}"#)
            }
            if line.hasPrefix("share port shop") { return .prints(#"{"vm_name":"shop","port":8080}"#) }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
    }

    static func deployer(image: String, vm: InMemoryRemoteHost, in directory: TemporaryDirectory) throws -> Deployer {
        // A plain configuration, made in code: no exe.deploy.yaml, no environment.
        let configuration = DeployConfiguration(
            app: "shop", pattern: .compose, vm: "shop", repositoryRoot: directory.path, port: 8080,
            prebuiltImage: ImageReference(image), healthPath: "none", healthTimeout: .seconds(1), healthInterval: .seconds(1),
            actor: "tester@unit", hostName: "unit", commandFlags: [])
        try configuration.validate()
        let context = DeployContext(
            control: control().client, vms: InMemoryVMConnector(hosts: ["shop.exe.xyz": vm]), processRunner: RecordingProcessRunner([]))
        return Deployer(configuration: configuration, context: context)
    }

    @Test("a deploy writes the compose file, keeps the old one as .prev, runs pull and up, records the audit and frees the lock")
    func deployHappyPath() async throws {
        let directory = try TemporaryDirectory(prefix: "compose-unit")
        defer { directory.remove() }
        let vm = Self.vm()
        vm.files.write(Self.composeFile, text: "name: \"shop\"\nservices:\n  app:\n    image: \"registry.test/shop:v1\"\n    container_name: \"shop\"\n")

        let report = try await Self.deployer(image: "registry.test/shop:v2", vm: vm, in: directory).deploy()

        #expect(report.outcome == .deployed && report.image == "registry.test/shop:v2" && report.previousImage == "registry.test/shop:v1")
        #expect(vm.files.text(Self.composeFile)?.contains("registry.test/shop:v2") == true)
        #expect(vm.files.text(Self.composeFile + ".prev")?.contains("registry.test/shop:v1") == true)
        let commands = vm.commandLines
        let pull = try #require(commands.firstIndex { $0.contains("compose -f /data/shop.compose.yaml -p shop pull") }, "\(commands)")
        let up = try #require(commands.firstIndex { $0.contains("-p shop up -d app-8081") }, "beside the live one: \(commands)")
        let retire = try #require(commands.firstIndex { $0.hasSuffix("docker rm -f shop") }, "the old container goes: \(commands)")
        #expect(pull < up && up < retire)
        #expect(vm.files.text(Self.composeFile)?.contains("\"app-8081\":") == true)
        #expect(vm.files.text("/data/.exe-deploy/shop/web-port") == "8081\n")
        #expect(!vm.files.exists(Self.lockDirectory), "the lock is released")
        let audit = try #require(vm.files.text(Self.auditLog))
        #expect(audit.contains("\"result\":\"deployed\"") && audit.contains("tester@unit"), "\(audit)")
        #expect(vm.closeCount == vm.connectionCount && vm.connectionCount == 1)
        let problems = try await ShellSyntax.problems(commands)
        #expect(problems.isEmpty, "Pattern B's scripts: \(problems)")
    }

    @Test("a release whose container exits is rolled back: the previous compose file is back and up, the failed one kept, logs reported")
    func failingReleaseRestoresPrevious() async throws {
        let directory = try TemporaryDirectory(prefix: "compose-unit")
        defer { directory.remove() }
        let vm = Self.vm()
        let v1 = "name: \"shop\"\nservices:\n  app:\n    image: \"registry.test/shop:v1\"\n    container_name: \"shop\"\n"
        vm.files.write(Self.composeFile, text: v1)

        let error = await #expect(throws: DeployError.self) {
            try await Self.deployer(image: "registry.test/shop:crashing", vm: vm, in: directory).deploy()
        }
        #expect(error?.kind == .unhealthy, "\(String(describing: error))")
        let report = try #require(error?.report)
        #expect(report.outcome == .restored)
        #expect(report.logs.first?.text.contains("panic: no config") == true)
        #expect(vm.files.text(Self.composeFile) == v1, "the previous file is live again")
        #expect(vm.files.text(Self.composeFile + ".failed")?.contains("shop:crashing") == true)
        #expect(vm.commandLines.contains { $0.hasSuffix("docker rm -f shop-8081") }, "the new container is removed: \(vm.commandLines)")
        #expect(
            !vm.commandLines.contains { $0.hasSuffix("rm -f shop") || $0.contains("--remove-orphans") || $0.contains("down") },
            "the live container is never touched: \(vm.commandLines)")
        #expect(vm.files.text(Self.auditLog)?.contains("\"result\":\"restored\"") == true)
        #expect(!vm.files.exists(Self.lockDirectory))
        let problems = try await ShellSyntax.problems(vm.commandLines)
        #expect(problems.isEmpty, "the restore's scripts: \(problems)")
    }

    @Test("a held lock stops the deploy before anything changes, naming the holder; the holder's lock stays")
    func lockHeld() async throws {
        let directory = try TemporaryDirectory(prefix: "compose-unit")
        defer { directory.remove() }
        let vm = Self.vm()
        let v1 = "name: \"shop\"\nservices:\n  app:\n    image: \"registry.test/shop:v1\"\n    container_name: \"shop\"\n"
        vm.files.write(Self.composeFile, text: v1)
        let holder = DeployLockDetails(
            app: "shop", holder: "bob@ci", host: "runner-7", action: "deploy", acquiredAt: Date().addingTimeInterval(-30))
        vm.files.write(Self.lockDirectory + "/details.json", .init(contents: try holder.encoded()))

        let error = await #expect(throws: DeployError.self) {
            try await Self.deployer(image: "registry.test/shop:v2", vm: vm, in: directory).deploy()
        }
        #expect(error?.kind == .lockHeld)
        #expect(error?.message.contains("bob@ci") == true && error?.message.contains("runner-7") == true, "\(String(describing: error))")
        #expect(vm.files.text(Self.composeFile) == v1)
        #expect(!vm.commandLines.contains { $0.contains("compose") }, "\(vm.commandLines)")
        #expect(vm.files.exists(Self.lockDirectory + "/details.json"), "someone else's lock is left alone")
        #expect(vm.closeCount == vm.connectionCount)
    }
}
