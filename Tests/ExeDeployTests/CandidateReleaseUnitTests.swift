import ExeControl
@testable import ExeDeploy
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Testing

/// The candidate release's state (`deploy --no-promote`, `promote`,
/// `discard`) without I/O: Pattern A's candidate VM is found by name and
/// tag; Pattern B's lifecycle runs against an in-memory VM and a scripted
/// control plane. The end-to-end tests are `DeployEndToEndTests.manualPromoteReplace`
/// and `ZeroDowntimeComposeTests.manualPromoteCompose`.
@Suite("Candidate releases: Pattern A's VM, Pattern B's state on an in-memory VM")
struct CandidateReleaseUnitTests {
    static func vm(_ name: String, tags: [String], status: VMStatus = .running) -> VM {
        var vm = VM(name: name, status: status)
        vm.tags = tags
        return vm
    }

    @Test("Pattern A: a candidate is a <vm>-g<5> VM with the candidate tag; other -g VMs, other apps' and kept releases are not")
    func candidateVM() {
        let vms = [
            Self.vm("shop", tags: ["webapp"]),
            Self.vm("shop-gab12c", tags: ["webapp", "exe-deploy-candidate-1764490000"]),
            Self.vm("shop-gzz999", tags: ["webapp"]),  // a deploy in progress, or one that died
            Self.vm("shop-pab12c", tags: ["exe-deploy-kept-1764400000"], status: .paused),
            Self.vm("shopx-gab12c", tags: ["exe-deploy-candidate-1764490001"]),  // another app's
            Self.vm("shop-gab12cd", tags: ["exe-deploy-candidate-1764490002"]),  // not a temporary name
            Self.vm("shop-gnew01", tags: ["exe-deploy-candidate-1764490100"]),
        ]
        #expect(CandidateVM.candidates(of: "shop", in: vms).map(\.name) == ["shop-gnew01", "shop-gab12c"])
        #expect(CandidateVM.candidates(of: "shopx", in: vms).map(\.name) == ["shopx-gab12c"])
        #expect(CandidateVM.candidates(of: "shop", in: [vms[0], vms[2], vms[3]]).isEmpty)
        let described = CandidateVM.describe(vms[1])
        #expect(described.vm == "shop-gab12c" && described.since == Date(timeIntervalSince1970: 1_764_490_000))
        #expect(VMTagLock.isDeployTag("exe-deploy-candidate-1764490000"), "the mark is never carried over to a new VM")
        #expect(CandidateVM.tag(at: Date(timeIntervalSince1970: 1_764_490_000)) == "exe-deploy-candidate-1764490000")
    }

    @Test("a candidate record reads back as written; anything else is not a record")
    func recordRoundTrip() throws {
        let candidate = DeployCandidate(
            vm: "shop", container: "shop-8081", port: 8081, url: "https://shop.exe.xyz:8081/", image: "registry.test/shop:v2",
            digest: "sha256:abc", since: Date(timeIntervalSince1970: 1_764_490_000), by: "tester@unit (on unit)")
        #expect(DeployCandidate.decode(try candidate.encoded()) == candidate)
        #expect(DeployCandidate.decode(Data("not json".utf8)) == nil)
    }

    static let candidateFile = "/data/shop.compose.yaml.candidate"
    static let candidateRecord = "/data/.exe-deploy/shop/candidate.json"
    static let v1 = "name: \"shop\"\nservices:\n  app:\n    image: \"registry.test/shop:v1\"\n    container_name: \"shop\"\n"

    @Test("Pattern B: --no-promote leaves the live file alone and records the candidate; a deploy is then refused; promote switches; discard with none is noCandidate")
    func composeLifecycle() async throws {
        let directory = try TemporaryDirectory(prefix: "candidate-unit")
        defer { directory.remove() }
        let vm = ComposeDeploymentUnitTests.vm()
        vm.files.write(ComposeDeploymentUnitTests.composeFile, text: Self.v1)
        let deployer = try ComposeDeploymentUnitTests.deployer(image: "registry.test/shop:v2", vm: vm, in: directory)

        let staged = try await deployer.deploy(promote: false)
        #expect(staged.outcome == .candidate)
        #expect(staged.candidate?.port == 8081 && staged.candidate?.container == "shop-8081", "\(String(describing: staged.candidate))")
        #expect(staged.url == "https://shop.exe.xyz:8081", "the candidate's port URL: \(String(describing: staged.url))")
        #expect(vm.files.text(ComposeDeploymentUnitTests.composeFile) == Self.v1, "the live compose file is untouched")
        #expect(!vm.files.exists(ComposeDeploymentUnitTests.composeFile + ".prev"))
        #expect(vm.files.text(Self.candidateFile)?.contains("registry.test/shop:v2") == true)
        let record = try #require(vm.files.text(Self.candidateRecord).map { DeployCandidate.decode(Data($0.utf8)) } ?? nil)
        #expect(record.port == 8081 && record.image == "registry.test/shop:v2" && record.by?.contains("tester@unit") == true)
        #expect(
            vm.commandLines.contains { $0.contains("compose -f /data/shop.compose.yaml.candidate -p shop up -d --no-deps app-8081") },
            "only the candidate's web service starts: \(vm.commandLines)")
        #expect(!vm.commandLines.contains { $0.hasSuffix("rm -f shop") }, "the live container is not touched")
        #expect(!vm.files.exists(ComposeDeploymentUnitTests.lockDirectory))
        #expect(vm.files.text(ComposeDeploymentUnitTests.auditLog)?.contains("\"result\":\"candidate\"") == true)

        // While it waits, a deploy (with or without promote) and a rollback are refused.
        for attempt in [true, false] {
            let refused = await #expect(throws: DeployError.self) { try await deployer.deploy(promote: attempt) }
            #expect(refused?.kind == .candidatePending, "\(String(describing: refused))")
        }
        let rollback = await #expect(throws: DeployError.self) { try await deployer.rollback() }
        #expect(rollback?.kind == .candidatePending)
        #expect(vm.files.text(ComposeDeploymentUnitTests.composeFile) == Self.v1)

        let before = vm.commandLines.count
        let promoted = try await deployer.promote()
        #expect(promoted.outcome == .deployed && promoted.action == .promote && promoted.image == "registry.test/shop:v2")
        let during = Array(vm.commandLines.dropFirst(before))
        #expect(!during.contains { $0.contains("up -d") && $0.contains("app-8081") }, "the running candidate is not started again: \(during)")
        #expect(during.contains { $0.hasSuffix("docker rm -f shop") }, "the old container is retired: \(during)")
        #expect(vm.files.text(ComposeDeploymentUnitTests.composeFile)?.contains("registry.test/shop:v2") == true)
        #expect(vm.files.text(ComposeDeploymentUnitTests.composeFile + ".prev") == Self.v1)
        #expect(vm.files.text("/data/.exe-deploy/shop/web-port") == "8081\n")
        #expect(!vm.files.exists(Self.candidateFile) && !vm.files.exists(Self.candidateRecord), "the candidate is live now")
        #expect(!vm.files.exists(ComposeDeploymentUnitTests.lockDirectory))

        let none = await #expect(throws: DeployError.self) { try await deployer.discard() }
        #expect(none?.kind == .noCandidate, "\(String(describing: none))")
        let nothing = await #expect(throws: DeployError.self) { try await deployer.promote() }
        #expect(nothing?.kind == .noCandidate)
        let problems = try await ShellSyntax.problems(vm.commandLines)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("Pattern B: discard removes the candidate's container and files and nothing live")
    func composeDiscard() async throws {
        let directory = try TemporaryDirectory(prefix: "candidate-unit")
        defer { directory.remove() }
        let vm = ComposeDeploymentUnitTests.vm()
        vm.files.write(ComposeDeploymentUnitTests.composeFile, text: Self.v1)
        let deployer = try ComposeDeploymentUnitTests.deployer(image: "registry.test/shop:v2", vm: vm, in: directory)
        _ = try await deployer.deploy(promote: false)
        let before = vm.commandLines.count
        let discarded = try await deployer.discard()
        #expect(discarded.outcome == .discarded && discarded.candidate?.container == "shop-8081")
        let during = Array(vm.commandLines.dropFirst(before))
        #expect(during.contains { $0.hasSuffix("docker rm -f shop-8081") }, "\(during)")
        #expect(!during.contains { $0.hasSuffix("rm -f shop") || $0.contains("compose") }, "nothing live is touched: \(during)")
        #expect(vm.files.text(ComposeDeploymentUnitTests.composeFile) == Self.v1)
        #expect(!vm.files.exists(Self.candidateFile) && !vm.files.exists(Self.candidateRecord))
        #expect(vm.files.text(ComposeDeploymentUnitTests.auditLog)?.contains("\"action\":\"discard\"") == true)
    }

    @Test("Pattern B: --no-promote with --env-file is refused before anything runs (the env file is the live release's too)")
    func composeEnvironmentFileRefused() async throws {
        let directory = try TemporaryDirectory(prefix: "candidate-unit")
        defer { directory.remove() }
        let vm = ComposeDeploymentUnitTests.vm()
        vm.files.write(ComposeDeploymentUnitTests.composeFile, text: Self.v1)
        try directory.write("prod.env", "API_KEY=x\n")
        let configuration = DeployConfiguration(
            app: "shop", pattern: .compose, vm: "shop", repositoryRoot: directory.path, port: 8080,
            prebuiltImage: ImageReference("registry.test/shop:v2"), healthPath: "none",
            compose: ComposeSettings(envFile: directory.path + "/prod.env"), hostName: "unit")
        let context = DeployContext(
            control: ComposeDeploymentUnitTests.control().client, vms: InMemoryVMConnector(hosts: ["shop.exe.xyz": vm]),
            processRunner: RecordingProcessRunner([]))
        let error = await #expect(throws: DeployError.self) { try await Deployer(configuration: configuration, context: context).deploy(promote: false) }
        #expect(error?.kind == .configuration && error?.message.contains("--env-file") == true, "\(String(describing: error))")
        #expect(vm.commandLines.isEmpty, "\(vm.commandLines)")
    }
}
