import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("exe-cli deploy init and config, as a user runs them in a repository")
struct DeployInitCommandTests {
    func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) async throws -> ProcessOutput {
        let binary = try #require(BuiltProduct.path("exe-cli"), "exe-cli is not built")
        var variables = environment
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("EXE_") && variables[name] == nil { variables[name] = "" }
        variables["HOME"] = directory
        return try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: variables, workingDirectory: directory, standardInput: Data(), timeout: .seconds(60)))
    }

    @Test("init in a git repository with a compose file proposes Pattern B, writes the file and the workflow, prints secret commands only")
    func initCompose() async throws {
        let repository = try TemporaryDirectory(prefix: "exe-deploy-init-cli")
        defer { repository.remove() }
        try repository.write("docker-compose.yml", "services:\n  api:\n    build: .\n    ports:\n      - \"3000:3000\"\n")
        try repository.write("Dockerfile", "FROM node:22\nEXPOSE 3000\n")
        _ = try await LocalProcessRunner().check(ProcessInvocation("git", ["init", "-q", repository.path], timeout: .seconds(30)))
        try FileManager.default.createDirectory(atPath: repository.file("src/deep"), withIntermediateDirectories: true)

        let result = try await run(["deploy", "init", "--github-actions"], in: repository.file("src/deep"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("docker-compose.yml: a compose file with services api"))
        #expect(result.stdout.contains("proposed pattern: compose"))
        #expect(result.stdout.contains("wrote exe.deploy.yaml, .github/workflows/exe-deploy.yml"))
        #expect(result.stdout.contains("gh secret set EXEDEV_SSH_KEY") && result.stdout.contains("ssh-key generate-api-key"))
        #expect(FileManager.default.fileExists(atPath: repository.file("exe.deploy.yaml")), "written at the repository's root")

        let again = try await run(["deploy", "init"], in: repository.path)
        #expect(again.status == 2 && again.stderr.contains("already exists"))

        let config = try await run(
            ["deploy", "config", "--json", "--vm", "api-server"], in: repository.path,
            environment: ["EXE_DEPLOY_REPOSITORY": "ghcr.io/acme/api", "GHCR_TOKEN": "ghp-very-secret-1"])
        #expect(config.status == 0, "\(config.stderr)")
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(config.stdout.utf8)) as? [String: Any])?["settings"] as? [[String: String]])
        func row(_ name: String) -> [String: String]? { rows.first { $0["name"] == name } }
        #expect(row("pattern")?["value"] == "compose" && row("pattern")?["source"] == "config file")
        #expect(row("vm")?["value"] == "api-server" && row("vm")?["source"] == "flag")
        #expect(row("image.repository")?["source"] == "environment")
        #expect(row("registry.user")?["value"] == "acme" && row("registry.user")?["source"] == "derived")
        #expect(row("registry.password")?["value"] == "[REDACTED]")
        #expect(row("port")?["value"] == "3000")
        #expect(!config.stdout.contains("ghp-very-secret-1") && !config.stderr.contains("ghp-very-secret-1"))
    }

    @Test("Issue 16: replace.keepReleases through exe-cli: deploy config shows it with its source; the flag and the variable win; a bad value is exit 2 naming the file and line")
    func keepReleasesThroughCLI() async throws {
        let repository = try TemporaryDirectory(prefix: "exe-deploy-keep-cli")
        defer { repository.remove() }
        let file = "version: 1\napp: shop-app\nimage:\n  repository: ghcr.io/acme/shop\nreplace:\n  keepReleases: 3\n"
        try repository.write("exe.deploy.yaml", file)
        func keep(_ arguments: [String] = [], environment: [String: String] = [:]) async throws -> [String: String]? {
            let config = try await run(["deploy", "config", "--json"] + arguments, in: repository.path, environment: environment)
            #expect(config.status == 0, "\(config.stderr)")
            let rows = (try JSONSerialization.jsonObject(with: Data(config.stdout.utf8)) as? [String: Any])?["settings"] as? [[String: String]]
            return rows?.first { $0["name"] == "replace.keepReleases" }
        }
        #expect(try await keep() == ["name": "replace.keepReleases", "value": "3", "source": "config file"])
        #expect(try await keep(environment: ["EXE_DEPLOY_KEEP_RELEASES": "0"])?["source"] == "environment")
        let flag = try await keep(["--keep-releases", "2"], environment: ["EXE_DEPLOY_KEEP_RELEASES": "0"])
        #expect(flag?["value"] == "2" && flag?["source"] == "flag", "\(String(describing: flag))")
        let text = try await run(["deploy", "config"], in: repository.path)
        #expect(text.stdout.contains("replace.keepReleases") && text.stdout.contains("config file"), "\(text.stdout)")

        try repository.write("exe.deploy.yaml", file.replacingOccurrences(of: "keepReleases: 3", with: "keepReleases: -1"))
        let bad = try await run(["deploy", "--keep-releases", "1"], in: repository.path)
        #expect(bad.status == 2, "\(bad.status) \(bad.stderr)")
        #expect(bad.stderr.contains("exe.deploy.yaml:6: replace.keepReleases must be a whole number, 0 or more (it is -1)"), "\(bad.stderr)")
    }
}
