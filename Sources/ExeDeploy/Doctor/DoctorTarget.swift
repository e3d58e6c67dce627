public import ExeSystem

/// What the doctor checks against: the app's settings from
/// `exe.deploy.yaml`, or only a VM's name when there is no (valid) file.
public struct DoctorTarget: Sendable {
    /// The VM.
    public var vm: String
    /// The app (the VM's name without a config file).
    public var app: String
    /// The pattern; `nil` without a config file (the doctor then looks for
    /// `/data/<vm>.compose.yaml`).
    public var pattern: DeployPattern?
    /// `port:`.
    public var port: Int?
    /// `public:`.
    public var isPublic: Bool?
    /// The path the URL check asks for.
    public var healthPath: String
    /// The status that means healthy.
    public var healthStatus: Int
    /// The compose service that runs the app.
    public var composeService: String
    /// `docker` on the VM (`sudo docker`).
    public var docker: String
    /// The registry user.
    public var registryUser: String?
    /// The variable holding the registry token.
    public var registryPasswordEnv: String
    /// The registry token (redacted from everything the doctor prints).
    public var registryPassword: Secret?
    /// The Dockerfile, when there is a config file.
    public var dockerfile: String?
    /// The `exe-cli deploy unlock` line for this app.
    public var unlockCommand: String

    /// The settings of a resolved configuration.
    public init(_ configuration: DeployConfiguration) {
        vm = configuration.vm
        app = configuration.app
        pattern = configuration.pattern
        port = configuration.port
        isPublic = configuration.replace.isPublic
        let path = configuration.healthPath
        healthPath = path == "none" ? "/" : path
        healthStatus = configuration.healthStatus
        composeService = configuration.compose.service
        docker = configuration.compose.docker
        registryUser = configuration.registryUser
        registryPasswordEnv = configuration.registryPasswordEnv
        registryPassword = configuration.registryPassword
        dockerfile = configuration.absolutePath(
            configuration.context == "." ? configuration.dockerfile
                : configuration.context + "/" + configuration.dockerfile)
        unlockCommand = configuration.unlockCommand
    }

    /// Only a VM: defaults for everything else.
    public init(vm: String) {
        self.vm = vm
        app = vm
        pattern = nil
        port = nil
        isPublic = nil
        healthPath = "/"
        healthStatus = 200
        composeService = "app"
        docker = "sudo docker"
        registryUser = nil
        registryPasswordEnv = "EXE_REGISTRY_PASSWORD"
        registryPassword = nil
        dockerfile = nil
        unlockCommand = ShellCommand(["exe-cli", "deploy", "unlock", "--app", vm, "--vm", vm, "--pattern", "compose"]).commandLine
    }

    /// `docker ARGUMENTS` on the VM (`docker`'s words, split on blanks, then
    /// the arguments), every word quoted.
    func dockerCommand(_ arguments: [String]) -> ShellCommand {
        ShellCommand(DeployConfiguration.words(of: docker) + arguments)
    }
}
