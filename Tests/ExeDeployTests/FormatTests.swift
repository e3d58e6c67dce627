import ExeControl
@testable import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Runs steps without progress (for builder tests).
struct SilentSteps: DeployStepRunning {
    func run<T>(_ phase: String, _ message: String, _ body: () async throws -> T) async throws -> T { try await body() }
}

@Suite("Deploy formats: compose files, locks, audit records, tags, timings; builders' command lines")
struct FormatTests {
    func request(_ repository: String, token: String?) throws -> ImageBuildRequest {
        ImageBuildRequest(
            repository: try #require(ImageReference(repository)), tag: "abc-1", contextDirectory: "/app", dockerfile: "/app/Dockerfile",
            platform: "linux/amd64", credentials: token.map { RegistryCredentials(username: "deployer", password: Secret($0)) })
    }

    @Test("the built-in compose file is the seed's, with a project name, and parses back into its containers")
    func composeDefault() throws {
        let text = ComposeFileRenderer.defaultFile(
            app: "shop", service: "app", containerName: "shop", image: "ghcr.io/acme/shop:abc-1", port: 8080, includeEnvironmentFile: true)
        #expect(text.contains("name: \"shop\""))
        #expect(text.contains("restart: always"))
        #expect(text.contains("- \"8080:8080\""))
        #expect(text.contains("- /data:/data"))
        #expect(text.contains("- /data/.env.production"))
        let containers = try ComposeFileRenderer.containers(in: text, project: "ignored")
        #expect(containers == [ComposeContainer(service: "app", name: "shop", image: "ghcr.io/acme/shop:abc-1")])
        #expect(ComposeFileRenderer.projectName(in: text, fallback: "x") == "shop")
        let withoutEnv = ComposeFileRenderer.defaultFile(
            app: "shop", service: "app", containerName: "shop", image: "i:1", port: 3000, includeEnvironmentFile: false)
        #expect(!withoutEnv.contains("env_file"))
    }

    @Test("templates get the image, tag and app; other variables are left to compose; container names follow compose")
    func composeTemplate() throws {
        let template = """
            services:
              web:
                image: ${EXE_DEPLOY_IMAGE}
                environment:
                  - RELEASE=${EXE_DEPLOY_TAG}
                  - HOME=${HOME}
              worker:
                image: ${EXE_DEPLOY_IMAGE}
                container_name: ${EXE_DEPLOY_APP}-worker
            """
        let text = ComposeFileRenderer.render(template: template, image: "r/app:t1", tag: "t1", app: "shop")
        #expect(text.contains("image: r/app:t1") && text.contains("RELEASE=t1") && text.contains("HOME=${HOME}"))
        let containers = try ComposeFileRenderer.containers(in: text, project: "shop")
        #expect(containers.map(\.name) == ["shop-web-1", "shop-worker"])
        #expect(throws: DeployError.self) { try ComposeFileRenderer.containers(in: "services: {}\n", project: "x") }
    }

    @Test("lock details: one JSON line, staleness, summary; the tag lock's details tag round-trips")
    func lockFormats() throws {
        let taken = Date(timeIntervalSince1970: 1_763_825_400)
        let details = DeployLockDetails(app: "shop", holder: "Alice@Laptop.local", host: "laptop", action: "deploy", acquiredAt: taken)
        let encoded = try details.encoded()
        #expect(!encoded.contains(UInt8(ascii: "\n")))
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"id\":\"\(details.id)\""))
        #expect(DeployLockDetails.decode(encoded) == details)
        #expect(DeployLockDetails.decode(Data("garbage".utf8)) == nil)
        #expect(!details.isStale(at: taken.addingTimeInterval(60), after: .seconds(900)))
        #expect(details.isStale(at: taken.addingTimeInterval(3600), after: .seconds(900)))
        #expect(details.summary(at: taken.addingTimeInterval(180)).contains("3m ago"))

        let tag = VMTagLock.detailsTag(details)
        #expect(tag == "exe-deploy-lock-1763825400-_41lice_40_4captop_2elocal__laptop")
        #expect(VMTag.isValid(tag))
        let holder = try #require(VMTagLock.holder(app: "shop", tags: ["prod", VMTagLock.lockTag, tag]))
        #expect(holder.acquiredAt == taken && holder.holder == "Alice@Laptop.local" && holder.host == "laptop")
        #expect(LockTagText.decode(LockTagText.encode("ci_bot@büro host")) == "ci_bot@büro host")
        #expect(LockTagText.encode(String(repeating: "@", count: 50)).count == 78, "cut at a whole escape")
        #expect(VMTagLock.holder(app: "shop", tags: ["prod", tag]) == nil)
        #expect(VMTagLock.isDeployTag(tag) && VMTagLock.isDeployTag("exe-deploy-lock") && !VMTagLock.isDeployTag("prod"))
    }

    @Test("audit records: JSON lines, tolerant parsing, and the rollback target")
    func audit() throws {
        func record(_ image: String, _ result: String, _ minute: Int) -> DeployAuditRecord {
            DeployAuditRecord(
                time: Date(timeIntervalSince1970: Double(minute * 60)), action: "deploy", actor: "a@b", host: "b", app: "shop", vm: "shop-vm",
                image: image, digest: "sha256:\(minute)", previousImage: nil, result: result)
        }
        let records = [record("r:1", "deployed", 1), record("r:2", "deployed", 2), record("r:3", "failed", 3), record("r:2", "deployed", 4)]
        var log = Data()
        for entry in records { log += try entry.line() }
        log += Data("not json\n".utf8)
        #expect(log.split(separator: UInt8(ascii: "\n")).count == 5)
        let parsed = DeployAuditRecord.parse(log)
        #expect(parsed == records)
        #expect(DeployAuditRecord.rollbackTarget(in: parsed, current: "r:2")?.image == "r:1")
        #expect(DeployAuditRecord.rollbackTarget(in: [record("r:1", "deployed", 1)], current: "r:1") == nil)
    }

    @Test("release tags, timing line, env-file values and redaction")
    func smallFormats() async throws {
        let date = Date(timeIntervalSince1970: 1_763_825_400)
        #expect(ReleaseTag.timestamp(date) == "20251122153000")
        #expect(await ReleaseTag.make(repositoryRoot: "/repo", date: date, runner: GitAnswers(status: "")) == "3f2a9c1-20251122153000")
        // Uncommitted changes: the image is not that commit, and its tag says so.
        #expect(await ReleaseTag.make(repositoryRoot: "/repo", date: date, runner: GitAnswers(status: " M app.swift\n")) == "3f2a9c1-dirty-20251122153000")
        let noGit = RecordingProcessRunner([])
        #expect(await ReleaseTag.make(repositoryRoot: "/repo", date: date, runner: noGit) == "nogit-20251122153000")

        var timings = DeployTimings()
        timings.add("build", .milliseconds(1200))
        timings.add("health", .milliseconds(500))
        timings.add("build", .milliseconds(100))
        timings.total = 3.04
        #expect(timings.line == "timing: build 1.3s, health 0.5s, total 3.0s")

        var redactor = SecretRedactor([Secret("registry-token-1")])
        redactor.addValues(ofEnvironmentFile: "# comment\nAPI_KEY=abcdef123\nQUOTED=\"quoted value\"\nEMPTY=\n")
        #expect(redactor.redact("t=registry-token-1 k=abcdef123 q=quoted value") == "t=[REDACTED] k=[REDACTED] q=[REDACTED]")
        // Well-known configuration and booleans are not secrets: they would garble paths and URLs.
        redactor.addValues(ofEnvironmentFile: "PORT=8080\nexport NODE_ENV=production\nFEATURE_X=true\nexport DB_PASSWORD='p4ss-word'\n")
        #expect(
            redactor.redact("http://127.0.0.1:8080/ /data/.env.production true db=p4ss-word")
                == "http://127.0.0.1:8080/ /data/.env.production true db=[REDACTED]")
    }

    @Test("buildah: login with the token on stdin into a private auth file, bud, push with a digest file; no secret in argv")
    func buildahCommands() async throws {
        let token = "s3cr3t-registry-token"
        let runner = RecordingProcessRunner([
            .init(
                executable: "buildah", firstArgument: "push", output: RecordingProcessRunner.ok(),
                sideEffect: RecordingProcessRunner.writes("sha256:feed\n", toFileAfter: "--digestfile")),
            .init(executable: "buildah", firstArgument: nil, output: RecordingProcessRunner.ok()),
        ])
        let built = try await BuildahBuilder().build(try request("127.0.0.1:5000/hello", token: token), runner: runner, steps: SilentSteps())
        #expect(built.digest == "sha256:feed")
        #expect(built.reference.description == "127.0.0.1:5000/hello:abc-1")
        let calls = runner.invocations
        #expect(calls.map { $0.arguments.first { !$0.hasPrefix("-") && $0 != "vfs" } } == ["login", "bud", "push", "push"])
        #expect(calls[0].standardInput == Data(token.utf8))
        #expect(calls[0].arguments.contains("--password-stdin") && calls[0].arguments.contains("--tls-verify=false"))
        let authFile = try #require(calls[0].arguments.firstIndex(of: "--authfile").map { calls[0].arguments[$0 + 1] })
        #expect(calls[2].arguments.contains(authFile))
        #expect(!FileManager.default.fileExists(atPath: authFile), "the auth file is removed after the push")
        #expect(calls[1].arguments.contains("127.0.0.1:5000/hello:latest") && calls[1].arguments.contains("linux/amd64"))
        #expect(calls[3].arguments.last == "docker://127.0.0.1:5000/hello:latest")
        for call in calls { #expect(!call.displayCommand.contains(token)) }
    }

    @Test("docker buildx: login on stdin, one build with --push for both tags, digest from the metadata file")
    func dockerCommands() async throws {
        let token = "s3cr3t-registry-token"
        let runner = RecordingProcessRunner([
            .init(
                executable: "docker", firstArgument: "buildx", output: RecordingProcessRunner.ok(),
                sideEffect: RecordingProcessRunner.writes(#"{"containerimage.digest":"sha256:cafe"}"#, toFileAfter: "--metadata-file")),
            .init(executable: "docker", firstArgument: "login", output: RecordingProcessRunner.ok()),
        ])
        let built = try await DockerBuildxBuilder().build(try request("ghcr.io/acme/shop", token: token), runner: runner, steps: SilentSteps())
        #expect(built.digest == "sha256:cafe")
        let calls = runner.invocations
        #expect(calls.count == 2)
        #expect(calls[0].arguments.prefix(2) == ["login", "ghcr.io"] && calls[0].standardInput == Data(token.utf8))
        #expect(calls[1].arguments.contains("--push") && calls[1].arguments.contains("ghcr.io/acme/shop:latest"))
        for call in calls { #expect(!call.displayCommand.contains(token)) }
    }

    @Test("a builder that fails reports the tail of its output as a build error")
    func builderFailure() async throws {
        let runner = RecordingProcessRunner([
            .init(
                executable: "buildah", firstArgument: "bud",
                output: ProcessOutput(status: 1, standardOutput: Data(), standardError: Data("STEP 2/3: COPY missing\nError: no such file\n".utf8))),
        ])
        do {
            _ = try await BuildahBuilder().build(try request("127.0.0.1:5000/hello", token: nil), runner: runner, steps: SilentSteps())
            Issue.record("the build should fail")
        } catch let error as DeployError {
            #expect(error.kind == .build)
            #expect(error.message.contains("Error: no such file"))
        }
    }
}


@Suite("Lock ages")
struct LockAgeTests {
    @Test("a lock's age is sane: days past 48 hours, an impossible time is unknown (never 221109h ago)")
    func ages() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func details(_ acquired: Date) -> DeployLockDetails {
            DeployLockDetails(id: "", app: "app", holder: "ana", host: "laptop", action: "deploy", acquiredAt: acquired)
        }
        #expect(details(now.addingTimeInterval(-90)).summary(at: now).contains(", 90s ago,"))
        #expect(details(now.addingTimeInterval(-3 * 3600)).summary(at: now).contains(", 3h ago,"))
        #expect(details(now.addingTimeInterval(-(3 * 86_400 + 4 * 3600))).summary(at: now).contains(", 3d 4h ago,"))
        for impossible in [Date.distantPast, Date(timeIntervalSinceReferenceDate: 0), now.addingTimeInterval(7 * 86_400)] {
            let summary = details(impossible).summary(at: now)
            #expect(summary.contains("since an unknown time") && !summary.contains("ago"), "\(summary)")
        }
    }
}

/// `git rev-parse --short HEAD` and `git status --porcelain` answers for
/// ``ReleaseTag``.
private struct GitAnswers: ProcessRunner {
    let status: String

    func run(_ invocation: ProcessInvocation) async throws -> ProcessOutput {
        let output = invocation.arguments.contains("rev-parse") ? "3f2a9c1\n" : invocation.arguments.contains("status") ? status : ""
        return ProcessOutput(status: 0, standardOutput: Data(output.utf8), standardError: Data())
    }
}
