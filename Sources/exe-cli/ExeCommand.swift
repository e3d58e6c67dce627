import ArgumentParser

/// The `exe-cli` root command.
@main
struct ExeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exe-cli",
        abstract: "Manage and deploy on exe.dev: VMs, deploys and test leases over one SSH connection.",
        version: "0.1.0"
    )
}
