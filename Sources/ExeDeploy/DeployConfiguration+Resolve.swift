public import ExeSystem
import Foundation

extension DeployConfiguration {
    /// Resolves the settings as `exe-cli` does: flags > `EXE_DEPLOY_*`
    /// variables > `exe.deploy.yaml` > derived values > defaults.
    ///
    /// The resolution's rows say where each value came from (what
    /// `exe-cli deploy config` prints); the registry token is read from the
    /// variable `registry.passwordEnv` names and shows only whether it is set.
    ///
    /// - Parameters:
    ///   - overrides: the flags.
    ///   - repositoryRoot: where `exe.deploy.yaml` is looked for and
    ///     relative paths start.
    ///   - environment: the process environment (`EXE_DEPLOY_*`, the token's
    ///     variable, `USER`, `GITHUB_ACTOR`).
    ///   - hostName: this machine's name, for the default actor.
    ///   - validating: check that the values can work (a deploy needs an
    ///     image repository, a valid VM name, ...); `deploy config` shows
    ///     them first and the problem after.
    /// - Throws: ``DeployError/Kind/configuration``.
    public static func resolve(
        overrides: DeployOverrides, repositoryRoot: String, environment: [String: String], hostName: String, validating: Bool = true
    ) throws -> SettingsResolution<DeployConfiguration> {
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        let explicitFile = overrides.configFile ?? env("EXE_DEPLOY_CONFIG")
        let path = explicitFile.map { $0.hasPrefix("/") ? $0 : repositoryRoot + "/" + $0 }
            ?? repositoryRoot + "/" + DeployConfigurationFile.fileName
        let loaded = try DeployConfigurationFile.load(path)
        if explicitFile != nil, loaded == nil {
            throw DeployError(.configuration, "cannot read the config file \(path)")
        }
        let file = loaded ?? DeployConfigurationFile()

        func pick<T>(
            _ flag: T?, _ variable: String, _ parse: (String, String) throws -> T, _ fromFile: T?, _ fallback: ResolvedSetting<T>
        ) throws -> ResolvedSetting<T> {
            if let flag { return ResolvedSetting(flag, .flag) }
            if let text = env(variable) { return ResolvedSetting(try parse(text, variable), .environment(variable: variable)) }
            if let fromFile { return ResolvedSetting(fromFile, .file(path: path)) }
            return fallback
        }
        let text: (String, String) throws -> String = { value, _ in value }
        let optionalText: (String, String) throws -> String? = { value, _ in value }
        let duration: (String, String) throws -> Duration = DeployValueParsing.duration
        let number: (String, String) throws -> Int = DeployValueParsing.int

        let app = try pick(
            overrides.app, "EXE_DEPLOY_APP", text, file.app, ResolvedSetting(Self.appName(fromDirectory: repositoryRoot), .derived))
        // The built-in defaults, the same a configuration made in code has.
        let defaults = DeployConfiguration(app: app.value, repositoryRoot: repositoryRoot, hostName: hostName)
        func byDefault<T>(_ value: T) -> ResolvedSetting<T> { ResolvedSetting(value, .defaults) }
        let pattern = try pick(
            overrides.pattern, "EXE_DEPLOY_PATTERN", DeployValueParsing.choice,
            try file.pattern.map { try DeployValueParsing.choice($0, setting: "\(path): pattern") }, byDefault(defaults.pattern))
        let vm = try pick(overrides.vm, "EXE_DEPLOY_VM", text, file.vm, ResolvedSetting(app.value, .derived))
        let port = try pick(
            overrides.port.map { Optional($0) }, "EXE_DEPLOY_PORT", { Optional(try number($0, $1)) }, file.port.map { Optional($0) },
            byDefault(defaults.port))
        let repository = try pick(
            try overrides.repository.map { Optional(try DeployValueParsing.image($0, setting: "--repository")) },
            "EXE_DEPLOY_REPOSITORY", { Optional(try DeployValueParsing.image($0, setting: $1)) },
            try file.imageRepository.map { Optional(try DeployValueParsing.image($0, setting: "\(path): image.repository")) },
            byDefault(defaults.repository))
        let prebuilt = try pick(
            try overrides.image.map { Optional(try DeployValueParsing.image($0, setting: "--image")) }, "EXE_DEPLOY_IMAGE",
            { Optional(try DeployValueParsing.image($0, setting: $1)) }, nil, byDefault(defaults.prebuiltImage))
        var builder = try pick(
            overrides.builder, "EXE_DEPLOY_BUILDER", DeployValueParsing.choice,
            try file.builder.map { try DeployValueParsing.choice($0, setting: "\(path): image.builder") }, byDefault(defaults.builder))
        if prebuilt.value != nil, builder.source == .defaults || builder.source == .file(path: path) {
            builder = ResolvedSetting(.prebuilt, .derived)
        }
        let imageForRegistry = prebuilt.value ?? repository.value
        let isGHCR = imageForRegistry?.registry == "ghcr.io"
        let registryUser = try pick(
            overrides.registryUser.map { Optional($0) }, "EXE_DEPLOY_REGISTRY_USER", optionalText, file.registryUser.map { Optional($0) },
            ResolvedSetting(Self.defaultRegistryUser(for: imageForRegistry), isGHCR ? .derived : .defaults))
        let passwordEnv = try pick(
            overrides.registryPasswordEnv, "EXE_DEPLOY_REGISTRY_PASSWORD_ENV", text, file.registryPasswordEnv,
            ResolvedSetting(Self.defaultRegistryPasswordEnv(for: imageForRegistry), isGHCR ? .derived : .defaults))
        let actor = try pick(
            nil, "EXE_DEPLOY_ACTOR", text, nil,
            env("GITHUB_ACTOR").map { ResolvedSetting("github:\($0)", .derived) }
                ?? ResolvedSetting("\(env("USER") ?? "unknown")@\(hostName)", .derived))

        let keepReleases = try pick(
            overrides.keepReleases, "EXE_DEPLOY_KEEP_RELEASES", number, file.keepReleases, byDefault(defaults.replace.keepReleases))
        guard keepReleases.value >= 0 else {
            let source = keepReleases.source == .environment(variable: "EXE_DEPLOY_KEEP_RELEASES") ? "EXE_DEPLOY_KEEP_RELEASES" : "--keep-releases"
            throw DeployError(.configuration, "\(source) must be 0 or more (it is \(keepReleases.value))")
        }
        let settings = DeployResolvedSettings(
            app: app, pattern: pattern, vm: vm, port: port, repository: repository, prebuiltImage: prebuilt, builder: builder,
            platform: try pick(overrides.platform, "EXE_DEPLOY_PLATFORM", text, file.platform, byDefault(defaults.platform)),
            context: try pick(nil, "EXE_DEPLOY_CONTEXT", text, file.context, byDefault(defaults.context)),
            dockerfile: try pick(nil, "EXE_DEPLOY_DOCKERFILE", text, file.dockerfile, byDefault(defaults.dockerfile)),
            registryUser: registryUser, registryPasswordEnv: passwordEnv,
            healthPath: try pick(overrides.healthPath, "EXE_DEPLOY_HEALTH_PATH", text, file.healthPath, byDefault(defaults.healthPath)),
            healthStatus: try pick(
                overrides.healthStatus, "EXE_DEPLOY_HEALTH_STATUS", number, file.healthStatus, byDefault(defaults.healthStatus)),
            healthTimeout: try pick(
                overrides.healthTimeout, "EXE_DEPLOY_HEALTH_TIMEOUT", duration, file.healthTimeout, byDefault(defaults.healthTimeout)),
            healthInterval: try pick(
                nil, "EXE_DEPLOY_HEALTH_INTERVAL", duration, file.healthInterval, byDefault(defaults.healthInterval)),
            strategy: try pick(
                overrides.strategy, "EXE_DEPLOY_STRATEGY", DeployValueParsing.choice,
                try file.strategy.map { try DeployValueParsing.choice($0, setting: "\(path): replace.strategy") },
                byDefault(defaults.replace.strategy)),
            keepReleases: keepReleases,
            tags: try pick(
                overrides.tags.isEmpty ? nil : overrides.tags, "EXE_DEPLOY_TAGS", { value, _ in DeployValueParsing.list(value) }, file.tags,
                byDefault(defaults.replace.tags)),
            isPublic: try pick(
                overrides.isPublic.map { Optional($0) }, "EXE_DEPLOY_PUBLIC", { Optional(try DeployValueParsing.bool($0, setting: $1)) },
                file.isPublic.map { Optional($0) }, byDefault(defaults.replace.isPublic)),
            memory: try pick(nil, "EXE_DEPLOY_MEMORY", optionalText, file.memory.map { Optional($0) }, byDefault(defaults.replace.memory)),
            cpus: try pick(
                nil, "EXE_DEPLOY_CPUS", { Optional(try number($0, $1)) }, file.cpus.map { Optional($0) }, byDefault(defaults.replace.cpus)),
            disk: try pick(nil, "EXE_DEPLOY_DISK", optionalText, file.disk.map { Optional($0) }, byDefault(defaults.replace.disk)),
            composeFile: try pick(
                overrides.composeFile.map { Optional($0) }, "EXE_DEPLOY_COMPOSE_FILE", optionalText, file.composeFile.map { Optional($0) },
                byDefault(defaults.compose.file)),
            composeService: try pick(nil, "EXE_DEPLOY_COMPOSE_SERVICE", text, file.composeService, byDefault(defaults.compose.service)),
            containerName: try pick(nil, "EXE_DEPLOY_CONTAINER_NAME", text, file.containerName, ResolvedSetting(app.value, .derived)),
            docker: try pick(nil, "EXE_DEPLOY_DOCKER", text, file.docker, byDefault(defaults.compose.docker)),
            envFile: try pick(
                overrides.envFile.map { Optional($0) }, "EXE_DEPLOY_ENV_FILE", optionalText, nil, byDefault(defaults.compose.envFile)),
            lockStaleAfter: try pick(
                nil, "EXE_DEPLOY_LOCK_STALE_AFTER", duration, file.lockStaleAfter, byDefault(defaults.lockStaleAfter)),
            actor: actor)

        var configuration = settings.configuration(repositoryRoot: repositoryRoot, hostName: hostName)
        configuration.filePath = loaded == nil ? nil : path
        configuration.exeRegistryVM = file.exeRegistry
        configuration.registryPassword = env(passwordEnv.value).map(Secret.init)
        let resolution = SettingsResolution(
            value: configuration, rows: settings.rows(registryPassword: configuration.registryPassword),
            files: configuration.filePath.map { [$0] } ?? [])
        if validating { try resolution.validate() }
        return resolution
    }
}

extension SettingsResolution where Value == DeployConfiguration {
    /// The configuration's ``DeployConfiguration/validate()``, naming where
    /// a bad app or VM name came from.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` naming the first problem.
    public func validate() throws {
        try value.validate(sourceText: sourceText(of:))
    }

    /// The configuration's ``DeployConfiguration/validateTarget()``, naming
    /// where a bad app or VM name came from.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` naming the first problem.
    public func validateTarget() throws {
        try value.validateTarget(sourceText: sourceText(of:))
    }

    private func sourceText(of name: String) -> String? {
        rows.first { $0.name == name }?.sourceText
    }
}
