import Foundation

/// A lease VM's size settings: its image, CPUs, memory, disk and command
/// (`nil`: exe.dev's default for each). A lease is reused only by settings
/// with the same ``key``.
public struct LeaseVMSize: Sendable, Equatable {
    /// The VM image.
    public var image: String?
    /// CPUs.
    public var cpus: Int?
    /// Memory, such as `4GB`.
    public var memory: String?
    /// Disk, such as `10GB`.
    public var disk: String?
    /// The command the VM's image runs (`new --command`).
    public var command: String?

    /// Size settings; each not given is exe.dev's default.
    ///
    /// - Parameters:
    ///   - image: the VM image.
    ///   - cpus: CPUs.
    ///   - memory: memory, such as `4GB`.
    ///   - disk: disk, such as `10GB`.
    ///   - command: the command the image runs.
    public init(image: String? = nil, cpus: Int? = nil, memory: String? = nil, disk: String? = nil, command: String? = nil) {
        self.image = image
        self.cpus = cpus
        self.memory = memory
        self.disk = disk
        self.command = command
    }

    /// The settings in one string, recorded in a lease's claim.
    public var key: String {
        // A JSON array: unambiguous whatever the values contain.
        let values: [String?] = [image, cpus.map(String.init), memory, disk, command]
        return (try? JSONEncoder().encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
