/// Options of `cp` (reference §4.15). Resources default to the source's.
public struct CopyOptions: Sendable {
    /// Copy the source's tags (the server's default).
    public var copyTags: Bool
    /// Disk for the copy.
    public var disk: ByteSize?
    /// Memory for the copy.
    public var memory: ByteSize?
    /// CPUs for the copy.
    public var cpus: Int?
    /// Make the copy a standalone VM (`cp --standalone`), for example a
    /// sandbox from a warm base VM.
    public var standalone: Bool = false

    /// Creates options.
    public init(copyTags: Bool = true, disk: ByteSize? = nil, memory: ByteSize? = nil, cpus: Int? = nil) {
        self.copyTags = copyTags
        self.disk = disk
        self.memory = memory
        self.cpus = cpus
    }
}
