import ExeSystem

/// One line of `exe-cli deploy config`.
public struct DeployConfigurationRow: Sendable, Codable, Equatable {
    /// The setting's name as the config file spells it (`health.path`).
    public var name: String
    /// Its value; secrets are `[REDACTED]`.
    public var value: String
    /// Where it came from.
    public var source: String
}

extension DeployConfiguration {
    /// Every setting with its value and source, secrets redacted (the
    /// registry token shows only whether its variable is set).
    public var rows: [DeployConfigurationRow] {
        func row<T>(_ name: String, _ setting: DeploySetting<T>, _ render: (T) -> String) -> DeployConfigurationRow {
            DeployConfigurationRow(name: name, value: render(setting.value), source: setting.source.rawValue)
        }
        let plain: (String) -> String = { $0 }
        let optional: (String?) -> String = { $0 ?? "(none)" }
        let duration: (Duration) -> String = { DurationText.format($0) }
        return [
            row("app", app, plain),
            row("pattern", pattern) { $0.rawValue },
            row("vm", vm, plain),
            row("port", port) { $0.map(String.init) ?? "(keep the VM's / image's)" },
            row("image.repository", repository) { $0?.description ?? "(none)" },
            row("image (prebuilt)", prebuiltImage) { $0?.description ?? "(build)" },
            row("image.builder", builder) { $0.rawValue },
            row("image.platform", platform, plain),
            row("image.context", context, plain),
            row("image.dockerfile", dockerfile, plain),
            row("registry.user", registryUser, optional),
            row("registry.passwordEnv", registryPasswordEnv, plain),
            DeployConfigurationRow(
                name: "registry.password", value: registryPassword == nil ? "(not set)" : "[REDACTED]",
                source: "environment variable \(registryPasswordEnv.value)"),
            row("health.path", healthPath, plain),
            row("health.status", healthStatus) { String($0) },
            row("health.timeout", healthTimeout, duration),
            row("health.interval", healthInterval, duration),
            row("replace.strategy", strategy) { $0.rawValue },
            row("replace.keepReleases", keepReleases) { String($0) },
            row("replace.tags", tags) { $0.isEmpty ? "(none)" : $0.joined(separator: ",") },
            row("replace.public", isPublic) { $0.map { $0 ? "true" : "false" } ?? "(keep the VM's)" },
            row("replace.memory", memory, optional),
            row("replace.cpus", cpus) { $0.map(String.init) ?? "(none)" },
            row("replace.disk", disk, optional),
            row("compose.file", composeFile) { $0 ?? "(built-in template)" },
            row("compose.service", composeService, plain),
            row("compose.containerName", containerName, plain),
            row("compose.docker", docker, plain),
            row("envFile", envFile) { $0 ?? "(leave /data/.env.production alone)" },
            row("lock.staleAfter", lockStaleAfter, duration),
            row("actor", actor, plain),
        ]
    }
}
