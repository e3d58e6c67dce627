/// Everything `new` can be told (reference §4.2). Only set what you need;
/// the server fills in the rest (a random name, the exeuntu image, plan
/// defaults for memory, CPUs and disk).
///
/// ```swift
/// let vm = try await client.create(.init(name: "my-app", image: "ghcr.io/me/app:1",
///                                        environment: [.init(name: "TOKEN", secret: token)]))
/// ```
public struct NewVMOptions: Sendable {
    /// The name (``VMName`` rules); random when `nil`.
    public var name: String?
    /// The image; `exeuntu` when `nil`.
    public var image: String?
    /// `auto`, `none`, or the container command.
    public var command: String?
    /// A prompt for the Shelley agent (exeuntu only).
    public var prompt: String?
    /// Let the server email you about the new VM (it never does over SSH).
    /// `false` sends `--no-email`.
    public var sendEmail: Bool
    /// Memory, at least 2 GB.
    public var memory: ByteSize?
    /// Disk, at least 10 GB.
    public var disk: ByteSize?
    /// CPUs, at least 1.
    public var cpus: Int?
    /// A script run once at first boot as `/exe.dev/setup`, at most 10 KiB.
    /// Sent so that the server's escape processing (`\n`, `\t`, `\\`)
    /// gives back exactly these bytes.
    public var setupScript: String?
    /// The comment (``VMComment`` rules).
    public var comment: String?
    /// Environment variables for the VM; mark secret values as such.
    public var environment: [EnvironmentVariable]
    /// Tags (``VMTag`` rules); the server sorts and de-duplicates them.
    public var tags: [String]
    /// Integrations to attach, by name.
    public var integrations: [String]
    /// Credentials for a private image registry.
    public var registryAuth: RegistryCredentials?
    /// Standalone, in a pool, or outside pools; the server's default when `nil`.
    public var placement: VMPlacement?

    /// Creates options.
    public init(
        name: String? = nil, image: String? = nil, command: String? = nil, prompt: String? = nil, sendEmail: Bool = false,
        memory: ByteSize? = nil, disk: ByteSize? = nil, cpus: Int? = nil, setupScript: String? = nil,
        comment: String? = nil, environment: [EnvironmentVariable] = [], tags: [String] = [],
        integrations: [String] = [], registryAuth: RegistryCredentials? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.prompt = prompt
        self.sendEmail = sendEmail
        self.memory = memory
        self.disk = disk
        self.cpus = cpus
        self.setupScript = setupScript
        self.comment = comment
        self.environment = environment
        self.tags = tags
        self.integrations = integrations
        self.registryAuth = registryAuth
    }

    /// The most bytes a setup script may have.
    public static let maximumSetupScriptBytes = 10 * 1024
}
