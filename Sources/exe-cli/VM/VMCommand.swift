import ArgumentParser

/// `exe-cli vm ...`: VMs on exe.dev.
struct VMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Create, list, change and reach VMs.",
        subcommands: [
            VMListCommand.self, VMNewCommand.self, VMRemoveCommand.self, VMRestartCommand.self, VMRenameCommand.self,
            VMTagCommand.self, VMCommentCommand.self, VMStatCommand.self, VMCopyCommand.self, VMResizeCommand.self,
            ShareCommand.self, VMExecCommand.self, VMShellCommand.self, VMPauseCommand.self, VMResumeCommand.self,
        ]
    )
}
