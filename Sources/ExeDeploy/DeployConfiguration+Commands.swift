import ExeSystem

extension DeployConfiguration {
    /// The `exe-cli deploy <subcommand>` line that addresses this app: plain
    /// when the config file names it, with `--app/--vm/--pattern` otherwise.
    public func command(_ subcommand: String) -> String {
        var words = ["exe-cli", "deploy", subcommand]
        if let filePath, !filePath.hasSuffix("/" + DeployConfigurationFile.fileName) { words += ["--config", filePath] }
        if app.source == .flag || app.source == .environment { words += ["--app", app.value] }
        if vm.source == .flag || vm.source == .environment { words += ["--vm", vm.value] }
        if pattern.source == .flag || pattern.source == .environment { words += ["--pattern", pattern.value.rawValue] }
        return ShellQuote.command(words)
    }

    /// The command that breaks this app's lock.
    public var unlockCommand: String { command("unlock") }

    /// `docker` as configured on the VM, with `arguments` quoted.
    func dockerCommand(_ arguments: [String]) -> String {
        docker.value + " " + ShellQuote.command(arguments)
    }

    /// `docker compose -f /data/<app>.compose.yaml -p <project> ...`.
    func composeCommand(project: String, _ arguments: [String]) -> String {
        dockerCommand(["compose", "-f", RemoteDeployPaths(app: app.value).composeFile, "-p", project] + arguments)
    }
}
