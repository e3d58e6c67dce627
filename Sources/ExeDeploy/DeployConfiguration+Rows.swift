import ExeSystem

/// Every deploy setting with its source, as the resolver picks them: makes
/// the plain ``DeployConfiguration`` and the rows `exe-cli deploy config`
/// prints.
struct DeployResolvedSettings {
    var app: ResolvedSetting<String>
    var pattern: ResolvedSetting<DeployPattern>
    var vm: ResolvedSetting<String>
    var port: ResolvedSetting<Int?>
    var repository: ResolvedSetting<ImageReference?>
    var prebuiltImage: ResolvedSetting<ImageReference?>
    var builder: ResolvedSetting<BuilderChoice>
    var platform: ResolvedSetting<String>
    var context: ResolvedSetting<String>
    var dockerfile: ResolvedSetting<String>
    var registryUser: ResolvedSetting<String?>
    var registryPasswordEnv: ResolvedSetting<String>
    var healthPath: ResolvedSetting<String>
    var healthStatus: ResolvedSetting<Int>
    var healthTimeout: ResolvedSetting<Duration>
    var healthInterval: ResolvedSetting<Duration>
    var strategy: ResolvedSetting<ReplaceStrategy>
    var keepReleases: ResolvedSetting<Int>
    var tags: ResolvedSetting<[String]>
    var isPublic: ResolvedSetting<Bool?>
    var memory: ResolvedSetting<String?>
    var cpus: ResolvedSetting<Int?>
    var disk: ResolvedSetting<String?>
    var composeFile: ResolvedSetting<String?>
    var composeService: ResolvedSetting<String>
    var containerName: ResolvedSetting<String>
    var docker: ResolvedSetting<String>
    var envFile: ResolvedSetting<String?>
    var lockStaleAfter: ResolvedSetting<Duration>
    var actor: ResolvedSetting<String>

    /// The plain configuration.
    func configuration(repositoryRoot: String, hostName: String) -> DeployConfiguration {
        // Suggested commands repeat what came from a flag or a variable.
        func onCommandLine<T>(_ setting: ResolvedSetting<T>) -> Bool {
            switch setting.source {
            case .flag, .environment: true
            case .file, .derived, .defaults: false
            }
        }
        var flags = Set<DeployConfiguration.CommandFlag>()
        if onCommandLine(app) { flags.insert(.app) }
        if onCommandLine(vm) { flags.insert(.vm) }
        if onCommandLine(pattern) { flags.insert(.pattern) }
        return DeployConfiguration(
            app: app.value, pattern: pattern.value, vm: vm.value, repositoryRoot: repositoryRoot, port: port.value,
            repository: repository.value, prebuiltImage: prebuiltImage.value, builder: builder.value, platform: platform.value,
            context: context.value, dockerfile: dockerfile.value, registryUser: registryUser.value,
            registryPasswordEnv: registryPasswordEnv.value, healthPath: healthPath.value, healthStatus: healthStatus.value,
            healthTimeout: healthTimeout.value, healthInterval: healthInterval.value,
            replace: ReplaceSettings(
                strategy: strategy.value, keepReleases: keepReleases.value, tags: tags.value, isPublic: isPublic.value,
                memory: memory.value, cpus: cpus.value, disk: disk.value),
            compose: ComposeSettings(
                file: composeFile.value, service: composeService.value, containerName: containerName.value, docker: docker.value,
                envFile: envFile.value),
            lockStaleAfter: lockStaleAfter.value, actor: actor.value, hostName: hostName, commandFlags: flags)
    }

    /// Every setting with its value and source, secrets redacted (the
    /// registry token shows only whether its variable is set).
    func rows(registryPassword: Secret?) -> [SettingRow] {
        func row<T>(_ name: String, _ setting: ResolvedSetting<T>, _ render: (T) -> String) -> SettingRow {
            SettingRow(
                name: name, value: render(setting.value), source: setting.source,
                sourceText: setting.source.label { _ in "config file" })
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
            SettingRow(
                name: "registry.password", value: registryPassword == nil ? "(not set)" : "[REDACTED]",
                source: .environment(variable: registryPasswordEnv.value),
                sourceText: "environment variable \(registryPasswordEnv.value)"),
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
