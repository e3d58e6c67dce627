import ExeSystem

/// Writes `exe.deploy.yaml` for `exe-cli deploy init`: every setting with
/// a comment, the ones without a value commented out, so the file documents
/// itself. ``DeployConfigurationFile/parse(_:file:)`` reads back exactly
/// the values written.
public enum DeployConfigurationWriter {
    /// The file's text for `file` (usually a ``RepositoryInspection/suggestion``).
    public static func render(_ file: DeployConfigurationFile, findings: [RepositoryInspection.Finding] = []) -> String {
        let pattern = DeployPattern(rawValue: file.pattern ?? "") ?? .replace
        let app = file.app ?? "app"
        var lines = ["# exe-cli deploy configuration (schema: Docs/ExeDeploy.md). Flags and EXE_DEPLOY_* variables override it."]
        if !findings.isEmpty {
            lines.append("# Written after reading: " + findings.map(\.file).joined(separator: ", "))
        }
        lines += [
            "version: \(DeployConfigurationFile.currentVersion)",
            "app: \(quoted(app))",
            "# replace: a stateless VM replaced from a new image (Pattern A); compose: a compose app updated in place (Pattern B)",
            "pattern: \(pattern.rawValue)",
            setting("vm", file.vm.map(quoted), placeholder: quoted(app), comment: "the VM serving the app (default: app)"),
            setting("port", file.port.map(String.init), placeholder: "8080", comment: "the port the VM's proxy routes to"),
            "image:",
            setting("  repository", file.imageRepository.map(quoted), placeholder: "\"ghcr.io/OWNER/\(app)\"", comment: "where images are pushed"),
            "  builder: \(file.builder ?? "auto")  # auto (docker buildx if a Docker engine answers, else buildah), docker, buildah, prebuilt",
            "  platform: \(quoted(file.platform ?? "linux/amd64"))",
            setting("  context", file.context.map(quoted), placeholder: "\".\"", comment: "the build context"),
            setting("  dockerfile", file.dockerfile.map(quoted), placeholder: "\"Dockerfile\"", comment: "relative to the context"),
            "registry:",
            setting("  user", file.registryUser.map(quoted), placeholder: "\"OWNER\"", comment: "the registry user"),
            "  passwordEnv: \(file.registryPasswordEnv ?? "GHCR_TOKEN")  # the environment variable holding the registry token (never put the token here)",
            setting(
                "  vm", file.exeRegistry.map(quoted), placeholder: "\"reg-NAME\"",
                comment: "no outside registry: a private one on your VM (exe-cli registry up; or write registry: exe), then image.repository, user and passwordEnv are not needed"),
            "health:",
            "  path: \(quoted(file.healthPath ?? "/"))  # none: no HTTP check",
            "  status: \(file.healthStatus ?? 200)",
            "  timeout: \(file.healthTimeout.map(DurationText.format) ?? "60s")",
        ]
        switch pattern {
        case .replace:
            lines += [
                "replace:",
                "  strategy: \(file.strategy ?? ReplaceStrategy.blueGreen.rawValue)  # blue-green (new VM beside the old, swap when healthy) or replace (rm, then new)",
                setting(
                    "  tags", file.tags.map { "[" + $0.map(quoted).joined(separator: ", ") + "]" }, placeholder: "[webapp]",
                    comment: "tags for new VMs, besides the old VM's"),
                setting("  public", file.isPublic.map { $0 ? "true" : "false" }, placeholder: "false", comment: "force public/private; default: keep the old VM's"),
            ]
        case .compose:
            lines += [
                "compose:",
                setting("  file", file.composeFile.map(quoted), placeholder: "\"deploy/compose.yaml\"", comment: "a template with ${EXE_DEPLOY_IMAGE}; default: the built-in file"),
                "  service: \(quoted(file.composeService ?? "app"))",
                "  containerName: \(quoted(file.containerName ?? app))",
                "  docker: \(quoted(file.docker ?? "sudo docker"))",
            ]
        }
        lines += ["lock:", "  staleAfter: \(file.lockStaleAfter.map(DurationText.format) ?? "15m")"]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func setting(_ key: String, _ value: String?, placeholder: String, comment: String) -> String {
        if let value { return "\(key): \(value)  # \(comment)" }
        let indent = key.prefix { $0 == " " }
        return "\(indent)# \(key.drop { $0 == " " }): \(placeholder)  # \(comment)"
    }

    private static func quoted(_ text: String) -> String { ComposeFileRenderer.quoted(text) }
}
