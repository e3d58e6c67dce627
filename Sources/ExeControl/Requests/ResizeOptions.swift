/// What `resize` changes (reference §4.8); at least one is required. Memory
/// and CPU take effect after a power-off and `restart`; disk only grows.
public struct ResizeOptions: Sendable {
    /// New memory, at least 2 GB.
    public var memory: ByteSize?
    /// New CPU count, at least 1.
    public var cpus: Int?
    /// New disk size, larger than the current one.
    public var disk: ByteSize?

    /// Creates options.
    public init(memory: ByteSize? = nil, cpus: Int? = nil, disk: ByteSize? = nil) {
        self.memory = memory
        self.cpus = cpus
        self.disk = disk
    }
}
