import ArgumentParser

/// `exe-cli lease ...`: test VMs that are warmed up, synced, used and stopped.
struct LeaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease",
        abstract: "Lease a VM, sync this work tree to it, run commands there, stop it. Nothing leaks.",
        discussion: "Settings: flags > EXE_LEASE_* > .exe.yaml (repo) > ~/.config/exe/config.yaml > defaults; see `exe-cli lease config`.",
        subcommands: [
            LeaseWarmupCommand.self, LeaseRunCommand.self, LeaseSSHCommand.self, LeaseStatusCommand.self, LeaseListCommand.self,
            LeaseStopCommand.self, LeaseGCCommand.self, LeaseTouchCommand.self, LeasePauseCommand.self, LeaseResumeCommand.self, LeaseTunnelCommand.self,
            LeaseConfigCommand.self,
        ]
    )
}
