import ExeSystem
import Foundation

/// What `exe-cli deploy init` found and did.
public struct DeployInitialization: Sendable, Codable {
    /// The files read and what each suggests.
    public var findings: [RepositoryInspection.Finding]
    /// The pattern chosen.
    public var pattern: DeployPattern
    /// Why.
    public var reasons: [String]
    /// The files written (relative to the repository root); empty for a dry run.
    public var written: [String]
    /// The config file's text.
    public var configuration: String
    /// The secrets the workflow reads and how to make them (with `--github-actions`).
    public var secrets: [GitHubActionsWorkflow.SecretSpec]
}

/// `exe-cli deploy init`: inspects the repository, proposes a pattern, and
/// writes `exe.deploy.yaml` (and, on request, a GitHub Actions workflow).
public enum DeployInitializer {
    /// Inspects `root` and writes the files.
    ///
    /// - Parameters:
    ///   - root: the repository root.
    ///   - pattern: overrides the proposal.
    ///   - githubActions: also write ``GitHubActionsWorkflow/path``.
    ///   - force: replace existing files.
    ///   - dryRun: write nothing, return what would be written.
    /// - Throws: ``DeployError/Kind/configuration`` when a file exists and
    ///   `force` is not set, or it cannot be written.
    public static func run(
        root: String, pattern: DeployPattern? = nil, githubActions: Bool = false, force: Bool = false, dryRun: Bool = false
    ) throws -> DeployInitialization {
        var inspection = RepositoryInspection.inspect(root: root)
        if let pattern, pattern != inspection.pattern {
            inspection.reasons.append("--pattern \(pattern.rawValue) chosen over the proposal (\(inspection.pattern.rawValue))")
            inspection.pattern = pattern
            inspection.suggestion.pattern = pattern.rawValue
        }
        let text = DeployConfigurationWriter.render(inspection.suggestion, findings: inspection.findings)
        _ = try DeployConfigurationFile.parse(text, file: DeployConfigurationFile.fileName)
        var files = [(DeployConfigurationFile.fileName, text)]
        var secrets: [GitHubActionsWorkflow.SecretSpec] = []
        let app = inspection.suggestion.app ?? "app"
        let passwordEnv = inspection.suggestion.registryPasswordEnv ?? "GHCR_TOKEN"
        if githubActions {
            let branch = GitDefaultBranch.detect(in: root)
            files.append((GitHubActionsWorkflow.path, GitHubActionsWorkflow.render(app: app, registryPasswordEnv: passwordEnv, branch: branch)))
            secrets = GitHubActionsWorkflow.secrets(
                app: app, vm: inspection.suggestion.vm ?? app, pattern: inspection.pattern, registryPasswordEnv: passwordEnv)
        }
        if !force, let existing = files.first(where: { FileManager.default.fileExists(atPath: root + "/" + $0.0) }) {
            throw DeployError(.configuration, "\(existing.0) already exists in \(root); pass --force to replace it")
        }
        var written: [String] = []
        if !dryRun {
            for (name, content) in files {
                let path = root + "/" + name
                do {
                    try FileManager.default.createDirectory(
                        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try AtomicFile.write(Data(content.utf8), to: path)
                } catch {
                    throw DeployError(.configuration, "cannot write \(path): \(error)")
                }
                written.append(name)
            }
        }
        return DeployInitialization(
            findings: inspection.findings, pattern: inspection.pattern, reasons: inspection.reasons, written: written, configuration: text,
            secrets: secrets)
    }
}
