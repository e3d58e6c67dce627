/// Values given on the command line; `nil` (or empty) means "not given".
/// They win over `EXE_DEPLOY_*` variables, which win over `exe.deploy.yaml`.
public struct DeployOverrides: Sendable {
    /// `--config FILE`: read this file instead of `<repo>/exe.deploy.yaml`.
    public var configFile: String?
    /// `--app`.
    public var app: String?
    /// `--pattern replace|compose`.
    public var pattern: DeployPattern?
    /// `--vm`.
    public var vm: String?
    /// `--port`.
    public var port: Int?
    /// `--repository`: where built images are pushed.
    public var repository: String?
    /// `--image`: deploy this prebuilt image instead of building.
    public var image: String?
    /// `--builder`.
    public var builder: BuilderChoice?
    /// `--platform`.
    public var platform: String?
    /// `--registry-user`.
    public var registryUser: String?
    /// `--registry-password-env`: the variable holding the registry token.
    public var registryPasswordEnv: String?
    /// `--strategy`.
    public var strategy: ReplaceStrategy?
    /// `--keep-releases`.
    public var keepReleases: Int?
    /// `--health-path`.
    public var healthPath: String?
    /// `--health-status`.
    public var healthStatus: Int?
    /// `--health-timeout`.
    public var healthTimeout: Duration?
    /// `--tag` (repeatable): tags for new VMs.
    public var tags: [String] = []
    /// `--public` / `--private`.
    public var isPublic: Bool?
    /// `--compose-file`.
    public var composeFile: String?
    /// `--env-file FILE`: upload it as `/data/.env.production` (mode 0600).
    public var envFile: String?

    /// No overrides.
    public init() {}
}
