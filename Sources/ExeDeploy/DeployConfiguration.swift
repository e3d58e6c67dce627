public import ExeControl
public import ExeSystem
import Foundation

/// Every deploy setting, resolved: flags > `EXE_DEPLOY_*` variables >
/// `exe.deploy.yaml` > derived values > defaults, each with its source.
///
/// The registry token is not a setting but a `Secret` read from the
/// variable that ``registryPasswordEnv`` names; it never appears in the
/// file, in argv, or in ``rows``.
public struct DeployConfiguration: Sendable {
    /// The config file that was read, if any.
    public var filePath: String?
    /// The repository root: relative paths are resolved against it.
    public var repositoryRoot: String
    /// This machine's name (recorded in locks and audit records).
    public var hostName: String

    /// The app's name: the VM name by default, the compose project, the
    /// lock's and audit log's name.
    public var app: DeploySetting<String>
    /// Pattern A (`replace`) or B (`compose`).
    public var pattern: DeploySetting<DeployPattern>
    /// The VM that serves the app.
    public var vm: DeploySetting<String>
    /// The port the VM's HTTPS proxy routes to (Pattern A: `share port`;
    /// Pattern B: the port the default compose file publishes). `nil`:
    /// keep the old VM's, or the image's `EXPOSE`.
    public var port: DeploySetting<Int?>
    /// Where built images are pushed (`ghcr.io/owner/app`).
    public var repository: DeploySetting<ImageReference?>
    /// A prebuilt image to deploy instead of building one.
    public var prebuiltImage: DeploySetting<ImageReference?>
    /// Which builder runs.
    public var builder: DeploySetting<BuilderChoice>
    /// The platform images are built for.
    public var platform: DeploySetting<String>
    /// The build context, relative to the repository root.
    public var context: DeploySetting<String>
    /// The Dockerfile, relative to the repository root.
    public var dockerfile: DeploySetting<String>
    /// The registry user name.
    public var registryUser: DeploySetting<String?>
    /// The environment variable holding the registry token.
    public var registryPasswordEnv: DeploySetting<String>
    /// The registry token, from ``registryPasswordEnv``; `nil` when unset.
    public var registryPassword: Secret?
    /// The exe-hosted registry VM (`registry: exe` → `""`, the default
    /// name; `registry.vm: NAME`); `nil` for an outside registry. The
    /// caller resolves it into ``repository``, ``exeRegistryPushRepository``
    /// and the registry credentials before deploying.
    public var exeRegistryVM: String?
    /// Where the builder pushes when the registry is exe-hosted (a loopback
    /// ``ExeRegistryRelay``); ``repository`` is then the address VMs pull from.
    public var exeRegistryPushRepository: ImageReference?
    /// Pattern A's strategy.
    public var strategy: DeploySetting<ReplaceStrategy>
    /// The health check.
    public var healthPath: DeploySetting<String>
    /// The HTTP status the health check expects.
    public var healthStatus: DeploySetting<Int>
    /// How long the new release may take to become healthy.
    public var healthTimeout: DeploySetting<Duration>
    /// The pause between two health probes.
    public var healthInterval: DeploySetting<Duration>
    /// Tags every new VM gets (Pattern A), besides the old VM's.
    public var tags: DeploySetting<[String]>
    /// Force the proxy public (`true`) or private (`false`); `nil` keeps the old VM's setting.
    public var isPublic: DeploySetting<Bool?>
    /// Memory for new VMs (Pattern A), e.g. `2GB`.
    public var memory: DeploySetting<String?>
    /// CPUs for new VMs (Pattern A).
    public var cpus: DeploySetting<Int?>
    /// Disk for new VMs (Pattern A), e.g. `10GB`.
    public var disk: DeploySetting<String?>
    /// A compose file template (Pattern B); the built-in one when `nil`.
    public var composeFile: DeploySetting<String?>
    /// The service the built image runs as in the built-in compose file.
    public var composeService: DeploySetting<String>
    /// Its container name.
    public var containerName: DeploySetting<String>
    /// How docker is run on the VM (`sudo docker`).
    public var docker: DeploySetting<String>
    /// A local env file uploaded as `/data/.env.production` (Pattern B).
    public var envFile: DeploySetting<String?>
    /// A lock older than this is reported as stale.
    public var lockStaleAfter: DeploySetting<Duration>
    /// How many previous releases Pattern A keeps paused for an instant
    /// rollback (`--keep-releases`, default 1; 0 removes the old VM as before).
    public var keepReleases = DeploySetting(1, .defaults)
    /// Who deploys, for the lock and the audit log.
    public var actor: DeploySetting<String>

    /// Resolves the settings.
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
    ) throws -> DeployConfiguration {
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
            _ flag: T?, _ variable: String, _ parse: (String, String) throws -> T, _ fromFile: T?, _ fallback: DeploySetting<T>
        ) throws -> DeploySetting<T> {
            if let flag { return DeploySetting(flag, .flag) }
            if let text = env(variable) { return DeploySetting(try parse(text, variable), .environment) }
            if let fromFile { return DeploySetting(fromFile, .file) }
            return fallback
        }
        let text: (String, String) throws -> String = { value, _ in value }
        let optionalText: (String, String) throws -> String? = { value, _ in value }
        let duration: (String, String) throws -> Duration = DeployValueParsing.duration
        let number: (String, String) throws -> Int = DeployValueParsing.int

        let fileName = loaded == nil ? nil : path
        let app = try pick(
            overrides.app, "EXE_DEPLOY_APP", text, file.app, DeploySetting(Self.appName(fromDirectory: repositoryRoot), .derived))
        let pattern = try pick(
            overrides.pattern, "EXE_DEPLOY_PATTERN", DeployValueParsing.choice,
            try file.pattern.map { try DeployValueParsing.choice($0, setting: "\(path): pattern") }, DeploySetting(.replace, .defaults))
        let vm = try pick(overrides.vm, "EXE_DEPLOY_VM", text, file.vm, DeploySetting(app.value, .derived))
        let port = try pick(
            overrides.port.map { Optional($0) }, "EXE_DEPLOY_PORT", { Optional(try number($0, $1)) }, file.port.map { Optional($0) },
            DeploySetting(nil, .defaults))
        let repository = try pick(
            try overrides.repository.map { Optional(try DeployValueParsing.image($0, setting: "--repository")) },
            "EXE_DEPLOY_REPOSITORY", { Optional(try DeployValueParsing.image($0, setting: $1)) },
            try file.imageRepository.map { Optional(try DeployValueParsing.image($0, setting: "\(path): image.repository")) },
            DeploySetting(nil, .defaults))
        let prebuilt = try pick(
            try overrides.image.map { Optional(try DeployValueParsing.image($0, setting: "--image")) }, "EXE_DEPLOY_IMAGE",
            { Optional(try DeployValueParsing.image($0, setting: $1)) }, nil, DeploySetting(nil, .defaults))
        var builder = try pick(
            overrides.builder, "EXE_DEPLOY_BUILDER", DeployValueParsing.choice,
            try file.builder.map { try DeployValueParsing.choice($0, setting: "\(path): image.builder") }, DeploySetting(.auto, .defaults))
        if prebuilt.value != nil, builder.source == .defaults || builder.source == .file {
            builder = DeploySetting(.prebuilt, .derived)
        }
        let imageForRegistry = prebuilt.value ?? repository.value
        let registryUser = try pick(
            overrides.registryUser.map { Optional($0) }, "EXE_DEPLOY_REGISTRY_USER", optionalText, file.registryUser.map { Optional($0) },
            DeploySetting(Self.defaultRegistryUser(for: imageForRegistry), imageForRegistry?.registry == "ghcr.io" ? .derived : .defaults))
        let passwordEnv = try pick(
            overrides.registryPasswordEnv, "EXE_DEPLOY_REGISTRY_PASSWORD_ENV", text, file.registryPasswordEnv,
            imageForRegistry?.registry == "ghcr.io"
                ? DeploySetting("GHCR_TOKEN", .derived) : DeploySetting("EXE_REGISTRY_PASSWORD", .defaults))
        let actor = try pick(
            nil, "EXE_DEPLOY_ACTOR", text, nil,
            env("GITHUB_ACTOR").map { DeploySetting("github:\($0)", .derived) }
                ?? DeploySetting("\(env("USER") ?? "unknown")@\(hostName)", .derived))

        var configuration = DeployConfiguration(
            filePath: fileName, repositoryRoot: repositoryRoot, hostName: hostName, app: app, pattern: pattern, vm: vm, port: port,
            repository: repository, prebuiltImage: prebuilt, builder: builder,
            platform: try pick(overrides.platform, "EXE_DEPLOY_PLATFORM", text, file.platform, DeploySetting("linux/amd64", .defaults)),
            context: try pick(nil, "EXE_DEPLOY_CONTEXT", text, file.context, DeploySetting(".", .defaults)),
            dockerfile: try pick(nil, "EXE_DEPLOY_DOCKERFILE", text, file.dockerfile, DeploySetting("Dockerfile", .defaults)),
            registryUser: registryUser, registryPasswordEnv: passwordEnv, registryPassword: env(passwordEnv.value).map(Secret.init),
            strategy: try pick(
                overrides.strategy, "EXE_DEPLOY_STRATEGY", DeployValueParsing.choice,
                try file.strategy.map { try DeployValueParsing.choice($0, setting: "\(path): replace.strategy") },
                DeploySetting(.blueGreen, .defaults)),
            healthPath: try pick(overrides.healthPath, "EXE_DEPLOY_HEALTH_PATH", text, file.healthPath, DeploySetting("/", .defaults)),
            healthStatus: try pick(overrides.healthStatus, "EXE_DEPLOY_HEALTH_STATUS", number, file.healthStatus, DeploySetting(200, .defaults)),
            healthTimeout: try pick(
                overrides.healthTimeout, "EXE_DEPLOY_HEALTH_TIMEOUT", duration, file.healthTimeout, DeploySetting(.seconds(60), .defaults)),
            healthInterval: try pick(nil, "EXE_DEPLOY_HEALTH_INTERVAL", duration, file.healthInterval, DeploySetting(.seconds(1), .defaults)),
            tags: try pick(
                overrides.tags.isEmpty ? nil : overrides.tags, "EXE_DEPLOY_TAGS", { value, _ in DeployValueParsing.list(value) }, file.tags,
                DeploySetting([], .defaults)),
            isPublic: try pick(
                overrides.isPublic.map { Optional($0) }, "EXE_DEPLOY_PUBLIC", { Optional(try DeployValueParsing.bool($0, setting: $1)) },
                file.isPublic.map { Optional($0) }, DeploySetting(nil, .defaults)),
            memory: try pick(nil, "EXE_DEPLOY_MEMORY", optionalText, file.memory.map { Optional($0) }, DeploySetting(nil, .defaults)),
            cpus: try pick(nil, "EXE_DEPLOY_CPUS", { Optional(try number($0, $1)) }, file.cpus.map { Optional($0) }, DeploySetting(nil, .defaults)),
            disk: try pick(nil, "EXE_DEPLOY_DISK", optionalText, file.disk.map { Optional($0) }, DeploySetting(nil, .defaults)),
            composeFile: try pick(overrides.composeFile.map { Optional($0) }, "EXE_DEPLOY_COMPOSE_FILE", optionalText, file.composeFile.map { Optional($0) }, DeploySetting(nil, .defaults)),
            composeService: try pick(nil, "EXE_DEPLOY_COMPOSE_SERVICE", text, file.composeService, DeploySetting("app", .defaults)),
            containerName: try pick(nil, "EXE_DEPLOY_CONTAINER_NAME", text, file.containerName, DeploySetting(app.value, .derived)),
            docker: try pick(nil, "EXE_DEPLOY_DOCKER", text, file.docker, DeploySetting("sudo docker", .defaults)),
            envFile: try pick(overrides.envFile.map { Optional($0) }, "EXE_DEPLOY_ENV_FILE", optionalText, nil, DeploySetting(nil, .defaults)),
            lockStaleAfter: try pick(
                nil, "EXE_DEPLOY_LOCK_STALE_AFTER", duration, file.lockStaleAfter, DeploySetting(.seconds(15 * 60), .defaults)),
            actor: actor)
        configuration.exeRegistryVM = file.exeRegistry
        configuration.keepReleases = try pick(
            overrides.keepReleases, "EXE_DEPLOY_KEEP_RELEASES", number, file.keepReleases, DeploySetting(1, .defaults))
        guard configuration.keepReleases.value >= 0 else {
            let source = configuration.keepReleases.source == .environment ? "EXE_DEPLOY_KEEP_RELEASES" : "--keep-releases"
            throw DeployError(.configuration, "\(source) must be 0 or more (it is \(configuration.keepReleases.value))")
        }
        if validating { try configuration.validate() }
        configuration.registryPassword = configuration.registryPassword.flatMap { $0.isEmpty ? nil : $0 }
        return configuration
    }

    /// The app name a directory suggests: its name, lowercased, other
    /// characters turned into single hyphens.
    public static func appName(fromDirectory path: String) -> String {
        let base = (path as NSString).lastPathComponent.lowercased()
        var name = ""
        for character in base {
            if character.isASCII, character.isLetter || character.isNumber {
                name.append(character)
            } else if !name.isEmpty, name.last != "-" {
                name.append("-")
            }
        }
        while name.hasSuffix("-") { name.removeLast() }
        while let first = name.first, !first.isLetter { name.removeFirst() }
        return name.isEmpty ? "app" : String(name.prefix(40))
    }

    /// `OWNER` for `ghcr.io/OWNER/...` (GHCR's user is the owner); `nil` elsewhere.
    static func defaultRegistryUser(for image: ImageReference?) -> String? {
        guard let image, image.registry == "ghcr.io" else { return nil }
        return image.path.split(separator: "/").first.map(String.init)
    }

    /// The longest app or VM name that leaves room for blue-green's
    /// temporary suffix within the 52 characters a VM name may have.
    public static let maximumNameLength = 45

    /// Checks that the values can work for a deploy: ``validateTarget()``
    /// and the image settings.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` naming the first problem.
    public func validate() throws {
        try validateTarget()
        if builder.value == .prebuilt, prebuiltImage.value == nil {
            throw DeployError(.configuration, "builder prebuilt needs an image: pass --image REGISTRY/OWNER/APP:TAG")
        }
        if builder.value != .prebuilt, repository.value == nil, exeRegistryVM == nil {
            throw DeployError(
                .configuration,
                "no image repository to push to: set image.repository in \(DeployConfigurationFile.fileName), EXE_DEPLOY_REPOSITORY or --repository (or deploy a prebuilt image with --image)")
        }
        if let repository = repository.value, repository.tag != nil || repository.digest != nil {
            throw DeployError(.configuration, "image.repository \(repository) must not have a tag or digest (tags are made per deploy)")
        }
    }

    /// Checks only what finds and probes a deployed app (its name, VM, port
    /// and health check), for `status`, `logs` and `unlock`, which neither
    /// build nor push and must work in a fresh shell during an incident.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` naming the first problem.
    public func validateTarget() throws {
        let name = app.value
        guard Self.isName(name) else {
            throw DeployError(
                .configuration,
                "app \"\(name)\" (\(app.source.rawValue)): use 1-\(Self.maximumNameLength) lowercase letters, digits and single hyphens, starting with a letter")
        }
        if pattern.value == .replace, !Self.isName(vm.value) || vm.value.count < 5 {
            throw DeployError(
                .configuration,
                "vm \"\(vm.value)\" (\(vm.source.rawValue)): a VM name has 5-\(Self.maximumNameLength) lowercase letters, digits and single hyphens, starting with a letter (set vm: or --vm)")
        }
        if let port = port.value, !(1...65535).contains(port) {
            throw DeployError(.configuration, "port \(port) is out of range (1-65535)")
        }
        guard (100...599).contains(healthStatus.value) else {
            throw DeployError(.configuration, "health.status \(healthStatus.value) is not an HTTP status")
        }
        guard healthPath.value.hasPrefix("/") || healthPath.value == "none" else {
            throw DeployError(.configuration, "health.path \"\(healthPath.value)\" must start with / (or be none: no HTTP check)")
        }
    }

    static func isName(_ name: String) -> Bool {
        guard (1...maximumNameLength).contains(name.count), let first = name.first, first.isASCII, first.isLowercase,
            !name.hasSuffix("-"), !name.contains("--")
        else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    /// `path` if absolute, else resolved against the repository root.
    public func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : repositoryRoot + "/" + path
    }

    /// The image's registry (where the token logs in).
    public var registry: String? { (prebuiltImage.value ?? repository.value)?.registry }

    /// The registry credentials, when both a user and a token are set.
    public var registryCredentials: RegistryCredentials? {
        guard let user = registryUser.value, let password = registryPassword else { return nil }
        return RegistryCredentials(username: user, password: password)
    }
}
