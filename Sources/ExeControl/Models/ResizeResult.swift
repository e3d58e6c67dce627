/// The result of `resize` (reference §4.8). Memory and CPU keys are there
/// only when they were changed, disk keys only with `--disk`.
public struct ResizeResult: Sendable, Hashable, Codable {
    /// The VM.
    public var name: String
    /// Memory before, as the server reports it.
    public var oldMemory: Int?
    /// Memory after.
    public var newMemory: Int?
    /// CPUs before.
    public var oldCPUs: Int?
    /// CPUs after.
    public var newCPUs: Int?
    /// Disk size before, in bytes.
    public var oldDiskBytes: Int?
    /// Disk size after, in bytes.
    public var newDiskBytes: Int?

    enum CodingKeys: String, CodingKey {
        case name = "vm_name", oldMemory = "old_memory", newMemory = "new_memory", oldCPUs = "old_cpus"
        case newCPUs = "new_cpus", oldDiskBytes = "disk_old_bytes", newDiskBytes = "disk_new_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let name = container.lenientString(.name) else { throw MissingKey(description: "resize without vm_name") }
        self.name = name
        oldMemory = container.lenientInt(.oldMemory)
        newMemory = container.lenientInt(.newMemory)
        oldCPUs = container.lenientInt(.oldCPUs)
        newCPUs = container.lenientInt(.newCPUs)
        oldDiskBytes = container.lenientInt(.oldDiskBytes)
        newDiskBytes = container.lenientInt(.newDiskBytes)
    }
}
