@testable import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("deploy init: inspecting a repository and writing exe.deploy.yaml")
struct RepositoryInspectionTests {
    /// The seed's Pattern A script, as users have it.
    static let patternAScript = #"""
        #!/usr/bin/env bash
        set -euo pipefail
        VM_NAME="${VM_NAME:-bloggy-web}"
        IMAGE_REPO="${IMAGE_REPO:-ghcr.io/acme/bloggy}"
        REGISTRY_USER="${REGISTRY_USER:-acme}"
        GH_TOKEN="$(gh auth token)"
        docker buildx build --platform linux/amd64 -t "$IMAGE" --push .
        if ssh exe.dev ls | rg -q "(^|[[:space:]])${VM_NAME}\.exe\.xyz"; then
        ssh exe.dev rm "$VM_NAME"
        fi
        ssh exe.dev new \
        --name="$VM_NAME" \
        --image="$IMAGE" \
        --registry-auth "${REGISTRY_USER}:${GH_TOKEN}" \
        --tag webapp
        """#

    /// The seed's Pattern B script.
    static let patternBScript = #"""
        #!/usr/bin/env bash
        IMAGE="${IMAGE:-ghcr.io/acme/ledger}"
        HOST="${EXE_HOST:-ledger-app.exe.xyz}"
        CONTAINER_NAME="${CONTAINER_NAME:-ledger}"
        if [[ -n "${GHCR_TOKEN:-}" ]]; then
        printf '%s\n' "$GHCR_TOKEN" | docker login ghcr.io -u acme --password-stdin
        fi
        ssh "$HOST" bash <<EOF
        cat <<'COMPOSE' | sudo tee /data/$CONTAINER_NAME.compose.yaml >/dev/null
        services:
          app:
            ports:
              - "8080:8080"
        COMPOSE
        sudo docker compose -f /data/$CONTAINER_NAME.compose.yaml pull
        sudo docker compose -f /data/$CONTAINER_NAME.compose.yaml up -d --remove-orphans
        EOF
        """#

    @Test("a repository with a Dockerfile and the seed's replace script gets Pattern A with the script's values")
    func dockerfileRepository() throws {
        let repository = try TemporaryDirectory(prefix: "exe-deploy-init-a")
        defer { repository.remove() }
        try repository.write("Dockerfile", "FROM nginx:alpine\nCOPY dist /usr/share/nginx/html\nEXPOSE 80\n")
        try repository.write("deploy.sh", Self.patternAScript)
        try repository.write("README.md", "Live at https://bloggy-web.exe.xyz/\n")
        let inspection = RepositoryInspection.inspect(root: repository.path)
        #expect(inspection.pattern == .replace)
        #expect(Set(inspection.findings.map(\.file)) == ["deploy.sh", "Dockerfile", "README.md"])
        #expect(inspection.suggestion.vm == "bloggy-web")
        #expect(inspection.suggestion.app == "bloggy-web")
        #expect(inspection.suggestion.imageRepository == "ghcr.io/acme/bloggy")
        #expect(inspection.suggestion.registryUser == "acme")
        #expect(inspection.suggestion.tags == ["webapp"])
        #expect(inspection.suggestion.port == 80)

        let result = try DeployInitializer.run(root: repository.path)
        #expect(result.written == ["exe.deploy.yaml"])
        let written = try #require(try DeployConfigurationFile.load(repository.file("exe.deploy.yaml")))
        #expect(written.pattern == "replace" && written.vm == "bloggy-web" && written.imageRepository == "ghcr.io/acme/bloggy")
        #expect(written.strategy == "blue-green" && written.tags == ["webapp"] && written.registryUser == "acme")
        let configuration = try DeployConfiguration.resolve(
            overrides: DeployOverrides(), repositoryRoot: repository.path, environment: [:], hostName: "h")
        #expect(configuration.value.vm == "bloggy-web")
        #expect(throws: DeployError.self) { try DeployInitializer.run(root: repository.path) }
        #expect(try DeployInitializer.run(root: repository.path, force: true).written == ["exe.deploy.yaml"])
    }

    @Test("a repository with a compose file and the seed's compose script gets Pattern B")
    func composeRepository() throws {
        let repository = try TemporaryDirectory(prefix: "exe-deploy-init-b")
        defer { repository.remove() }
        try repository.write("Dockerfile", "FROM python:3.12\nEXPOSE 8080\n")
        try repository.write(
            "docker-compose.yml", "services:\n  web:\n    build: .\n    ports:\n      - \"8080:8080\"\n    volumes:\n      - ./data:/data\n")
        try repository.write("scripts/deploy-prod.sh", Self.patternBScript)
        // A clone whose default branch is `trunk`, with another branch checked out.
        try repository.write(".git/HEAD", "ref: refs/heads/feature-x\n")
        try repository.write(".git/refs/remotes/origin/HEAD", "ref: refs/remotes/origin/trunk\n")
        let inspection = RepositoryInspection.inspect(root: repository.path)
        #expect(inspection.pattern == .compose)
        #expect(inspection.suggestion.vm == "ledger-app")
        #expect(inspection.suggestion.imageRepository == "ghcr.io/acme/ledger")
        #expect(inspection.suggestion.containerName == "ledger")
        #expect(inspection.suggestion.composeService == "web")
        #expect(inspection.suggestion.registryPasswordEnv == "GHCR_TOKEN")
        #expect(inspection.suggestion.port == 8080)
        #expect(inspection.findings.contains { $0.file == "docker-compose.yml" && $0.note.contains("web") })

        let result = try DeployInitializer.run(root: repository.path, githubActions: true)
        #expect(result.written == ["exe.deploy.yaml", ".github/workflows/exe-deploy.yml"])
        let workflow = try String(contentsOfFile: repository.file(".github/workflows/exe-deploy.yml"), encoding: .utf8)
        #expect(workflow.contains("${{ secrets.EXEDEV_API_TOKEN }}") && workflow.contains("${{ secrets.GHCR_TOKEN }}"))
        #expect(workflow.contains("EXEDEV_SSH_KEY: ${{ secrets.EXEDEV_SSH_KEY }}") && workflow.contains("\"$EXEDEV_SSH_KEY\""))
        // Expressions only as `NAME: ${{ ... }}` values of env: (and job settings), never inside a run: script.
        let expressionLines = workflow.split(separator: "\n").filter { $0.contains("${{") }
        #expect(expressionLines.allSatisfy { $0.range(of: #"^\s*[A-Za-z_]+: \$\{\{[^}]*\}\}\S*$"#, options: .regularExpression) != nil }, "\(expressionLines)")
        var inRun = false
        for line in workflow.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            if line.contains("run: |") { inRun = true; continue }
            if inRun, !line.trimmingCharacters(in: .whitespaces).isEmpty, indent <= 16 { inRun = false }
            #expect(!(inRun && line.contains("${{")), "an expression inside a run: script: \(line)")
        }
        #expect(workflow.contains("branches: [\"trunk\"]"), "origin's default branch, not the checked-out one")
        #expect(workflow.contains("exe-cli deploy"))
        // exe.dev's host key is pinned by its published fingerprint (exe-dev-api.md §1.1), not trusted on first use.
        #expect(workflow.contains(GitHubActionsWorkflow.exeDevHostKeyFingerprint) && workflow.contains("EXE_HOST_KEY_POLICY: strict"))
        #expect(!workflow.contains("accept-new"))
        #expect(Set(result.secrets.map(\.name)) == ["EXEDEV_API_TOKEN", "EXEDEV_SSH_KEY", "GHCR_TOKEN"])
        let commands = result.secrets.flatMap(\.commands).joined(separator: "\n")
        #expect(commands.contains("ssh-key generate-api-key") && commands.contains("gh secret set EXEDEV_SSH_KEY"))
        let written = try #require(try DeployConfigurationFile.load(repository.file("exe.deploy.yaml")))
        #expect(written.pattern == "compose" && written.containerName == "ledger" && written.composeService == "web")
    }

    @Test("an empty repository gets Pattern A; --pattern overrides the proposal; a dry run writes nothing")
    func emptyRepository() throws {
        let repository = try TemporaryDirectory(prefix: "exe-deploy-init-empty")
        defer { repository.remove() }
        #expect(RepositoryInspection.inspect(root: repository.path).pattern == .replace)
        let result = try DeployInitializer.run(root: repository.path, pattern: .compose, githubActions: true, dryRun: true)
        #expect(result.pattern == .compose && result.written.isEmpty)
        #expect(result.configuration.contains("version: 1\n"), "init writes the required version")
        #expect(GitDefaultBranch.detect(in: repository.path) == "main", "no git: main")
        try repository.write(".git/HEAD", "ref: refs/heads/develop\n")
        #expect(GitDefaultBranch.detect(in: repository.path + "/sub") == "develop", "the checked-out branch when origin has no HEAD")
        #expect(!FileManager.default.fileExists(atPath: repository.file("exe.deploy.yaml")))
        #expect(try DeployConfigurationFile.parse(result.configuration, file: "x").pattern == "compose")
    }

    @Test("the example app's exe.deploy.yaml has the required version")
    func exampleConfiguration() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try #require(try DeployConfigurationFile.load(root.appendingPathComponent("Examples/hello/exe.deploy.yaml").path))
        #expect(file.version == DeployConfigurationFile.currentVersion && file.app == "hello-site")
    }
}
