import ArgumentParser
import ExeDeploy

/// `exe-cli deploy init`.
struct DeployInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Inspect the repository (deploy scripts, workflows, Dockerfile, compose files, README), propose a pattern, write exe.deploy.yaml.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "Use this pattern instead of the proposal (replace or compose).") var pattern: DeployPattern?
    @Flag(name: .customLong("github-actions"), help: "Also write .github/workflows/exe-deploy.yml and print the secrets it needs.")
    var githubActions = false
    @Flag(help: "Replace existing files.") var force = false
    @Flag(name: .customLong("dry-run"), help: "Print what would be written; write nothing.") var dryRun = false

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        do {
            let root = await RepositoryRoot.find()
            let result = try DeployInitializer.run(root: root, pattern: pattern, githubActions: githubActions, force: force, dryRun: dryRun)
            let settings = try ControlSettings(global, environment: environment)
            let output = Output(json: settings.json, console: environment.console)
            try output.result(result) {
                var lines = ["read:"]
                lines += result.findings.isEmpty ? ["  (no deploy files found)"] : result.findings.map { "  \($0.file): \($0.note)" }
                lines.append("proposed pattern: \(result.pattern.rawValue) (\(result.reasons.joined(separator: "; ")))")
                if result.written.isEmpty {
                    lines.append("would write \(DeployConfigurationFile.fileName):\n\(result.configuration)")
                } else {
                    lines.append("wrote " + result.written.joined(separator: ", "))
                }
                if !result.secrets.isEmpty {
                    lines.append("the workflow reads these repository secrets (values are never printed):")
                    for secret in result.secrets {
                        lines.append("  \(secret.name): \(secret.purpose)")
                        lines += secret.commands.map { "    \($0)" }
                    }
                }
                lines.append("next: check \(DeployConfigurationFile.fileName) (image.repository, registry.user), then run `exe-cli deploy config` and `exe-cli deploy`")
                return lines.joined(separator: "\n")
            }
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
    }
}
