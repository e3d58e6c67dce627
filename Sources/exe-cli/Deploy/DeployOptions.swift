public import ArgumentParser
public import ExeDeploy
import ExeSystem
import Foundation

extension DeployPattern: ExpressibleByArgument {}
extension ReplaceStrategy: ExpressibleByArgument {}
extension BuilderChoice: ExpressibleByArgument {}

/// What ``DeploySession`` needs from a command's deploy flags.
protocol DeploySettingsFlags: Sendable {
    /// The overrides the flags make.
    func overrides() -> DeployOverrides
    /// Which settings the command checks before it runs.
    var validation: DeployValidation { get }
}

/// Which settings a deploy command checks before it runs: a deploy needs
/// them all; `status`, `logs` and `unlock` only find the app and its VM.
enum DeployValidation: Sendable {
    /// Every setting a deploy uses (``DeployConfiguration/validate()``).
    case deploy
    /// The app, its VM and its health check (``DeployConfiguration/validateTarget()``).
    case target
    /// Nothing (`deploy config` shows the settings and the problem after).
    case none
}

/// Relative paths as absolute ones from the current directory.
private func absolute(_ path: String?) -> String? { path.map(WorkingDirectoryPath.absolute) }

/// The setting flags of the `deploy` commands that act on a deployed app
/// without building (`status`, `logs`, `unlock`).
struct DeployTargetOptions: ParsableArguments, DeploySettingsFlags {
    @Option(help: "The config file [env: EXE_DEPLOY_CONFIG] (default: exe.deploy.yaml in the repository root).") var config: String?
    @Option(help: "The app's name [env: EXE_DEPLOY_APP].") var app: String?
    @Option(help: "replace (Pattern A) or compose (Pattern B) [env: EXE_DEPLOY_PATTERN].") var pattern: DeployPattern?
    @Option(help: "The VM serving the app [env: EXE_DEPLOY_VM] (default: the app's name).") var vm: String?

    init() {}

    var validation: DeployValidation { .target }

    func overrides() -> DeployOverrides {
        var overrides = DeployOverrides()
        overrides.configFile = absolute(config)
        overrides.app = app
        overrides.pattern = pattern
        overrides.vm = vm
        return overrides
    }
}

/// The setting flags of the `deploy` commands that build or deploy (`run`,
/// `rollback`, `config`). They win over `EXE_DEPLOY_*` variables, which win
/// over `exe.deploy.yaml`.
struct DeployOptions: ParsableArguments, DeploySettingsFlags {
    @Option(help: "The config file [env: EXE_DEPLOY_CONFIG] (default: exe.deploy.yaml in the repository root).") var config: String?
    @Option(help: "The app's name [env: EXE_DEPLOY_APP].") var app: String?
    @Option(help: "replace (Pattern A) or compose (Pattern B) [env: EXE_DEPLOY_PATTERN].") var pattern: DeployPattern?
    @Option(help: "The VM serving the app [env: EXE_DEPLOY_VM] (default: the app's name).") var vm: String?
    @Option(help: "The port the VM's proxy routes to [env: EXE_DEPLOY_PORT].") var port: Int?
    @Option(help: "Where built images are pushed, e.g. ghcr.io/owner/app [env: EXE_DEPLOY_REPOSITORY].") var repository: String?
    @Option(help: "Deploy this prebuilt image instead of building [env: EXE_DEPLOY_IMAGE].") var image: String?
    @Option(help: "auto, docker, buildah or prebuilt [env: EXE_DEPLOY_BUILDER].") var builder: BuilderChoice?
    @Option(help: "The image platform [env: EXE_DEPLOY_PLATFORM] (default: linux/amd64).") var platform: String?
    @Option(name: .customLong("registry-user"), help: "The registry user [env: EXE_DEPLOY_REGISTRY_USER].") var registryUser: String?
    @Option(
        name: .customLong("registry-password-env"),
        help: "The environment variable holding the registry token [env: EXE_DEPLOY_REGISTRY_PASSWORD_ENV] (the token itself is never a flag).")
    var registryPasswordEnv: String?
    @Option(help: "blue-green or replace (Pattern A) [env: EXE_DEPLOY_STRATEGY].") var strategy: ReplaceStrategy?
    @Option(
        name: .customLong("keep-releases"),
        help: "Previous releases kept paused for an instant rollback (Pattern A blue-green) [env: EXE_DEPLOY_KEEP_RELEASES] (default: 1).")
    var keepReleases: Int?
    @Option(name: .customLong("health-path"), help: "The health-check path, or none [env: EXE_DEPLOY_HEALTH_PATH].") var healthPath: String?
    @Option(name: .customLong("health-status"), help: "The status that means healthy [env: EXE_DEPLOY_HEALTH_STATUS].") var healthStatus: Int?
    @Option(name: .customLong("health-timeout"), help: "How long a release may take to become healthy, e.g. 60s [env: EXE_DEPLOY_HEALTH_TIMEOUT].")
    var healthTimeout: String?
    @Option(name: .customLong("tag"), help: "A tag for new VMs (repeatable) [env: EXE_DEPLOY_TAGS].") var tags: [String] = []
    @Flag(inversion: .prefixedEnableDisable, help: "Make the app's proxy public or private [env: EXE_DEPLOY_PUBLIC] (default: keep the old VM's).")
    var `public`: Bool?
    @Option(name: .customLong("compose-file"), help: "A compose template with ${EXE_DEPLOY_IMAGE} (Pattern B) [env: EXE_DEPLOY_COMPOSE_FILE].")
    var composeFile: String?
    @Option(name: .customLong("env-file"), help: "Upload this file as /data/.env.production, mode 0600 (Pattern B) [env: EXE_DEPLOY_ENV_FILE].")
    var envFile: String?

    init() {}

    var validation: DeployValidation { .deploy }

    func validate() throws {
        if let healthTimeout, DurationText.parse(healthTimeout) == nil {
            throw ValidationError("--health-timeout: invalid duration \"\(healthTimeout)\" (use 45s, 2m or 1h30m; at most 36500d)")
        }
    }

    /// The overrides these flags make; relative paths are taken from the
    /// current directory.
    func overrides() -> DeployOverrides {
        var overrides = DeployOverrides()
        overrides.configFile = absolute(config)
        overrides.app = app
        overrides.pattern = pattern
        overrides.vm = vm
        overrides.port = port
        overrides.repository = repository
        overrides.image = image
        overrides.builder = builder
        overrides.platform = platform
        overrides.registryUser = registryUser
        overrides.registryPasswordEnv = registryPasswordEnv
        overrides.strategy = strategy
        overrides.keepReleases = keepReleases
        overrides.healthPath = healthPath
        overrides.healthStatus = healthStatus
        overrides.healthTimeout = healthTimeout.flatMap(DurationText.parse)
        overrides.tags = tags
        overrides.isPublic = `public`
        overrides.composeFile = absolute(composeFile)
        overrides.envFile = absolute(envFile)
        return overrides
    }
}
