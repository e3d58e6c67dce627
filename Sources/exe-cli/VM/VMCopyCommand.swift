import ArgumentParser
import ExeControl

/// `exe-cli vm cp SOURCE [NEW-NAME]`.
struct VMCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy a VM (disk snapshot, tags and comment).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Flag(name: .customLong("no-copy-tags"), help: "Do not copy the source's tags.") var noCopyTags = false
    @Option(help: "Disk for the copy.") var disk: String?
    @Option(help: "Memory for the copy.") var memory: String?
    @Option(help: "CPUs for the copy.") var cpu: Int?
    @Flag(name: [.customLong("standalone"), .customLong("sandbox")], help: "Make the copy a standalone VM (sandbox).")
    var standalone = false
    @Argument(help: "The VM to copy.") var source: String
    @Argument(help: "The copy's name (generated when omitted).") var newName: String?

    func validate() throws {
        if let newName { do { _ = try VMName(newName) } catch { throw ValidationError(error.message) } }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        var options = CopyOptions(
            copyTags: !noCopyTags, disk: try disk.map { try ByteSize($0) }, memory: try memory.map { try ByteSize($0) }, cpus: cpu)
        options.standalone = standalone
        let result = try await session.client.copy(source, as: newName, options: options)
        try session.output.result(result) {
            "Copied \(source) to \(result.name)" + (result.sshDestination.map { " (ssh \($0))" } ?? "") + "."
        }
    }
}
