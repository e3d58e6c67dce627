import ExeSystem

extension DeployConfiguration {
    /// The `exe-cli deploy <subcommand>` line that addresses this app: plain
    /// when the config file names it, with `--app/--vm/--pattern` otherwise.
    public func command(_ subcommand: String) -> String {
        var words = ["exe-cli", "deploy", subcommand]
        if let filePath, !filePath.hasSuffix("/" + DeployConfigurationFile.fileName) { words += ["--config", filePath] }
        if commandFlags.contains(.app) { words += ["--app", app] }
        if commandFlags.contains(.vm) { words += ["--vm", vm] }
        if commandFlags.contains(.pattern) { words += ["--pattern", pattern.rawValue] }
        return ShellCommand(words).commandLine
    }

    /// The command that breaks this app's lock.
    public var unlockCommand: String { command("unlock") }

    /// `docker` as configured on the VM (its words, split on blanks:
    /// `sudo docker`), then `arguments`, every word quoted.
    func dockerCommand(_ arguments: [String]) -> ShellCommand {
        ShellCommand(Self.words(of: compose.docker) + arguments)
    }

    /// The words of a configured program such as `sudo docker`.
    static func words(of program: String) -> [String] {
        let words = program.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return words.isEmpty ? ["docker"] : words
    }

    /// `docker compose -f /data/<app>.compose.yaml -p <project> ...`.
    func composeCommand(project: String, _ arguments: [String]) -> ShellCommand {
        dockerCommand(["compose", "-f", RemoteDeployPaths(app: app).composeFile, "-p", project] + arguments)
    }
}
