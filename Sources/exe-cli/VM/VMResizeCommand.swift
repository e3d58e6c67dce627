import ArgumentParser
import ExeControl

/// `exe-cli vm resize NAME [--memory] [--cpu] [--disk]`.
struct VMResizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resize",
        abstract: "Change a VM's memory, CPUs or disk.",
        discussion: "Memory and CPU changes take effect after `sudo poweroff` in the VM and `vm restart`; the disk only grows.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "New memory, e.g. 8GB.") var memory: String?
    @Option(help: "New number of CPUs.") var cpu: Int?
    @Option(help: "New disk size, larger than the current one.") var disk: String?
    @Argument(help: "The VM.") var name: String

    func validate() throws {
        if memory == nil, cpu == nil, disk == nil { throw ValidationError("give at least one of --memory, --cpu or --disk") }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let options = ResizeOptions(memory: try memory.map { try ByteSize($0) }, cpus: cpu, disk: try disk.map { try ByteSize($0) })
        let result = try await session.client.resize(name, options)
        try session.output.result(result) {
            var changes: [String] = []
            if let old = result.oldMemory, let new = result.newMemory { changes.append("memory \(old) → \(new)") }
            if let old = result.oldCPUs, let new = result.newCPUs { changes.append("CPUs \(old) → \(new)") }
            if let old = result.oldDiskBytes, let new = result.newDiskBytes {
                changes.append("disk \(DisplayFormat.bytes(old)) → \(DisplayFormat.bytes(new))")
            }
            return "Resized \(result.name)" + (changes.isEmpty ? "." : ": " + changes.joined(separator: ", ") + ".")
        }
    }
}
