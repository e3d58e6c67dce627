public import ExeControl
public import ExeSystem
import Foundation

/// Everything a deploy needs, as plain values: the app, its VM and
/// pattern, the image, the registry, the health check, and the
/// pattern-specific parts in their own types (``ReplaceSettings`` for
/// Pattern A, ``ComposeSettings`` for Pattern B).
///
/// Build one in code:
///
/// ```swift
/// let configuration = DeployConfiguration(
///     app: "shop", pattern: .compose, repositoryRoot: "/src/shop",
///     repository: ImageReference("ghcr.io/acme/shop"),
///     compose: ComposeSettings(service: "web"))
/// ```
///
/// or resolve it as `exe-cli` does, from flags, `EXE_DEPLOY_*` variables
/// and `exe.deploy.yaml` (``resolve(overrides:repositoryRoot:environment:hostName:validating:)``),
/// which also says where each value came from.
///
/// The registry token is a `Secret` (``registryPassword``); it never
/// appears in the file, in argv, or in the resolution's rows.
public struct DeployConfiguration: Sendable {
    /// The config file the settings were read from, if any (deploy commands
    /// suggested in messages pass it with `--config` when it is not the
    /// default one).
    public var filePath: String?
    /// The repository root: relative paths are resolved against it.
    public var repositoryRoot: String
    /// This machine's name (recorded in locks and audit records).
    public var hostName: String

    /// The app's name: the VM name by default, the compose project, the
    /// lock's and audit log's name.
    public var app: String
    /// Pattern A (`replace`) or B (`compose`).
    public var pattern: DeployPattern
    /// The VM that serves the app.
    public var vm: String
    /// The port the VM's HTTPS proxy routes to (Pattern A: `share port`;
    /// Pattern B: the port the default compose file publishes). `nil`:
    /// keep the old VM's, or the image's `EXPOSE`.
    public var port: Int?
    /// Where built images are pushed (`ghcr.io/owner/app`).
    public var repository: ImageReference?
    /// A prebuilt image to deploy instead of building one.
    public var prebuiltImage: ImageReference?
    /// Which builder runs.
    public var builder: BuilderChoice
    /// The platform images are built for.
    public var platform: String
    /// The build context, relative to the repository root.
    public var context: String
    /// The Dockerfile, relative to the repository root.
    public var dockerfile: String
    /// The registry user name.
    public var registryUser: String?
    /// The environment variable the registry token was read from (named in messages).
    public var registryPasswordEnv: String
    /// The registry token; `nil` when there is none.
    public var registryPassword: Secret?
    /// The exe-hosted registry VM (`registry: exe` → `""`, the default
    /// name; `registry.vm: NAME`); `nil` for an outside registry. The
    /// caller resolves it into ``repository``, ``exeRegistryPushRepository``
    /// and the registry credentials before deploying.
    public var exeRegistryVM: String?
    /// Where the builder pushes when the registry is exe-hosted (a loopback
    /// ``ExeRegistryRelay``); ``repository`` is then the address VMs pull from.
    public var exeRegistryPushRepository: ImageReference?
    /// The health check's path (`none`: no HTTP check).
    public var healthPath: String
    /// The HTTP status the health check expects.
    public var healthStatus: Int
    /// How long the new release may take to become healthy.
    public var healthTimeout: Duration
    /// The pause between two health probes.
    public var healthInterval: Duration
    /// Pattern A's settings.
    public var replace: ReplaceSettings
    /// Pattern B's settings.
    public var compose: ComposeSettings
    /// A lock older than this is reported as stale.
    public var lockStaleAfter: Duration
    /// Who deploys, for the lock and the audit log.
    public var actor: String
    /// Which of the app, VM and pattern the deploy commands suggested in
    /// messages (`exe-cli deploy unlock`, ...) pass as flags: those the
    /// config file does not give.
    public var commandFlags: Set<CommandFlag>

    /// A setting that suggested deploy commands may pass as a flag.
    public enum CommandFlag: Sendable, Hashable, CaseIterable {
        /// `--app`.
        case app
        /// `--vm`.
        case vm
        /// `--pattern`.
        case pattern
    }

    /// The container name of Pattern B's built-in compose file:
    /// ``ComposeSettings/containerName``, or the app's name.
    public var containerName: String { compose.containerName ?? app }

    /// A configuration; every setting not given has the default
    /// `exe.deploy.yaml` has.
    ///
    /// - Parameters:
    ///   - app: the app's name.
    ///   - pattern: Pattern A (`replace`, the default) or B (`compose`).
    ///   - vm: the VM (`nil`: the app's name).
    ///   - repositoryRoot: where relative paths (context, Dockerfile, env file) start.
    ///   - port: the port the proxy routes to (`nil`: keep the VM's, or the image's `EXPOSE`).
    ///   - repository: where built images are pushed.
    ///   - prebuiltImage: an image to deploy instead of building one.
    ///   - builder: which builder runs (`nil`: `prebuilt` with a prebuilt image, else `auto`).
    ///   - platform: the platform images are built for.
    ///   - context: the build context.
    ///   - dockerfile: the Dockerfile.
    ///   - registryUser: the registry user (`nil`: `OWNER` for `ghcr.io/OWNER/...`).
    ///   - registryPassword: the registry token.
    ///   - registryPasswordEnv: the variable named in messages about the
    ///     token (`nil`: `GHCR_TOKEN` for `ghcr.io`, else `EXE_REGISTRY_PASSWORD`).
    ///   - exeRegistryVM: the exe-hosted registry VM, if the registry is one.
    ///   - healthPath: the health check's path (`/`).
    ///   - healthStatus: the status it expects (200).
    ///   - healthTimeout: how long a release may take to become healthy (60 s).
    ///   - healthInterval: the pause between probes (1 s).
    ///   - replace: Pattern A's settings.
    ///   - compose: Pattern B's settings.
    ///   - lockStaleAfter: when a lock is reported as stale (15 minutes).
    ///   - actor: who deploys (`nil`: `USER@hostName`).
    ///   - hostName: this machine's name.
    ///   - filePath: the config file the settings came from, if any.
    ///   - commandFlags: what suggested commands pass as flags (all three:
    ///     no config file names the app).
    public init(
        app: String, pattern: DeployPattern = .replace, vm: String? = nil, repositoryRoot: String, port: Int? = nil,
        repository: ImageReference? = nil, prebuiltImage: ImageReference? = nil, builder: BuilderChoice? = nil,
        platform: String = "linux/amd64", context: String = ".", dockerfile: String = "Dockerfile", registryUser: String? = nil,
        registryPassword: Secret? = nil, registryPasswordEnv: String? = nil, exeRegistryVM: String? = nil,
        healthPath: String = "/", healthStatus: Int = 200, healthTimeout: Duration = .seconds(60),
        healthInterval: Duration = .seconds(1), replace: ReplaceSettings = ReplaceSettings(),
        compose: ComposeSettings = ComposeSettings(), lockStaleAfter: Duration = .seconds(15 * 60), actor: String? = nil,
        hostName: String = LocalHostName.current(), filePath: String? = nil,
        commandFlags: Set<CommandFlag> = Set(CommandFlag.allCases)
    ) {
        let image = prebuiltImage ?? repository
        self.filePath = filePath
        self.repositoryRoot = repositoryRoot
        self.hostName = hostName
        self.app = app
        self.pattern = pattern
        self.vm = vm ?? app
        self.port = port
        self.repository = repository
        self.prebuiltImage = prebuiltImage
        self.builder = builder ?? (prebuiltImage == nil ? .auto : .prebuilt)
        self.platform = platform
        self.context = context
        self.dockerfile = dockerfile
        self.registryUser = registryUser ?? Self.defaultRegistryUser(for: image)
        self.registryPassword = registryPassword
        self.registryPasswordEnv = registryPasswordEnv ?? Self.defaultRegistryPasswordEnv(for: image)
        self.exeRegistryVM = exeRegistryVM
        self.healthPath = healthPath
        self.healthStatus = healthStatus
        self.healthTimeout = healthTimeout
        self.healthInterval = healthInterval
        self.replace = replace
        self.compose = compose
        self.lockStaleAfter = lockStaleAfter
        self.actor = actor ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")@\(hostName)"
        self.commandFlags = commandFlags
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

    /// The variable the registry token is read from by default: `GHCR_TOKEN`
    /// for `ghcr.io`, else `EXE_REGISTRY_PASSWORD`.
    static func defaultRegistryPasswordEnv(for image: ImageReference?) -> String {
        image?.registry == "ghcr.io" ? "GHCR_TOKEN" : "EXE_REGISTRY_PASSWORD"
    }

    /// The longest app or VM name that leaves room for blue-green's
    /// temporary suffix within the 52 characters a VM name may have.
    public static let maximumNameLength = 45

    /// Checks that the values can work for a deploy: ``validateTarget()``
    /// and the image settings.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` naming the first problem.
    public func validate() throws {
        try validate(sourceText: { _ in nil })
    }

    /// ``validate()``, naming where a bad app or VM name came from
    /// (`sourceText` gives a setting's source by its row name).
    func validate(sourceText: (String) -> String?) throws {
        try validateTarget(sourceText: sourceText)
        if builder == .prebuilt, prebuiltImage == nil {
            throw DeployError(.configuration, "builder prebuilt needs an image: pass --image REGISTRY/OWNER/APP:TAG")
        }
        if builder != .prebuilt, repository == nil, exeRegistryVM == nil {
            throw DeployError(
                .configuration,
                "no image repository to push to: set image.repository in \(DeployConfigurationFile.fileName), EXE_DEPLOY_REPOSITORY or --repository (or deploy a prebuilt image with --image)")
        }
        if let repository = repository, repository.tag != nil || repository.digest != nil {
            throw DeployError(.configuration, "image.repository \(repository) must not have a tag or digest (tags are made per deploy)")
        }
    }

    /// Checks only what finds and probes a deployed app (its name, VM, port
    /// and health check), for `status`, `logs` and `unlock`, which neither
    /// build nor push and must work in a fresh shell during an incident.
    ///
    /// - Throws: ``DeployError/Kind/configuration`` naming the first problem.
    public func validateTarget() throws {
        try validateTarget(sourceText: { _ in nil })
    }

    /// ``validateTarget()``, naming where a bad app or VM name came from.
    func validateTarget(sourceText: (String) -> String?) throws {
        func from(_ name: String) -> String { sourceText(name).map { " (\($0))" } ?? "" }
        let name = app
        guard Self.isName(name) else {
            throw DeployError(
                .configuration,
                "app \"\(name)\"\(from("app")): use 1-\(Self.maximumNameLength) lowercase letters, digits and single hyphens, starting with a letter")
        }
        if pattern == .replace, !Self.isName(vm) || vm.count < 5 {
            throw DeployError(
                .configuration,
                "vm \"\(vm)\"\(from("vm")): a VM name has 5-\(Self.maximumNameLength) lowercase letters, digits and single hyphens, starting with a letter (set vm: or --vm)")
        }
        if let port = port, !(1...65535).contains(port) {
            throw DeployError(.configuration, "port \(port) is out of range (1-65535)")
        }
        guard (100...599).contains(healthStatus) else {
            throw DeployError(.configuration, "health.status \(healthStatus) is not an HTTP status")
        }
        guard healthPath.hasPrefix("/") || healthPath == "none" else {
            throw DeployError(.configuration, "health.path \"\(healthPath)\" must start with / (or be none: no HTTP check)")
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
    public var registry: String? { (prebuiltImage ?? repository)?.registry }

    /// The registry credentials, when both a user and a token are set.
    public var registryCredentials: RegistryCredentials? {
        guard let user = registryUser, let password = registryPassword else { return nil }
        return RegistryCredentials(username: user, password: password)
    }
}
