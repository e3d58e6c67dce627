/// Pattern A's settings (`replace:` in `exe.deploy.yaml`): how the VM is
/// replaced and what a new VM gets.
public struct ReplaceSettings: Sendable, Equatable {
    /// How the VM is replaced.
    public var strategy: ReplaceStrategy
    /// How many previous releases stay paused for an instant rollback
    /// (`--keep-releases`; 0 removes the old VM).
    public var keepReleases: Int
    /// Tags every new VM gets, besides the old VM's.
    public var tags: [String]
    /// Force the proxy public (`true`) or private (`false`); `nil` keeps the old VM's setting.
    public var isPublic: Bool?
    /// Memory for new VMs, e.g. `2GB`; `nil`: exe.dev's default.
    public var memory: String?
    /// CPUs for new VMs; `nil`: exe.dev's default.
    public var cpus: Int?
    /// Disk for new VMs, e.g. `10GB`; `nil`: exe.dev's default.
    public var disk: String?

    /// Pattern A's settings; every one has the default `exe.deploy.yaml` has.
    ///
    /// - Parameters:
    ///   - strategy: how the VM is replaced (blue-green by default).
    ///   - keepReleases: previous releases kept paused (1).
    ///   - tags: tags for new VMs.
    ///   - isPublic: the proxy's visibility; `nil` keeps the old VM's.
    ///   - memory: memory for new VMs.
    ///   - cpus: CPUs for new VMs.
    ///   - disk: disk for new VMs.
    public init(
        strategy: ReplaceStrategy = .blueGreen, keepReleases: Int = 1, tags: [String] = [], isPublic: Bool? = nil,
        memory: String? = nil, cpus: Int? = nil, disk: String? = nil
    ) {
        self.strategy = strategy
        self.keepReleases = keepReleases
        self.tags = tags
        self.isPublic = isPublic
        self.memory = memory
        self.cpus = cpus
        self.disk = disk
    }
}
