import ExeSSH
import Foundation

/// The side effects `exe-cli` commands use, in one injectable value:
/// environment variables, the SSH environment (home, user, agent) and the
/// console. `deploy` and `lease` commands take the same value.
struct CLIEnvironment: Sendable {
    /// Environment variables (`EXE_CONTROL_HOST`, ...).
    var variables: [String: String]
    /// Home directory, user name and agent socket for SSH.
    var ssh: SSHEnvironment
    /// stdout and stderr.
    var console: Console
    /// Asks for a key's passphrase; `nil` when there is no terminal.
    var passphraseProvider: PassphraseProvider?

    /// The real process environment.
    static var process: CLIEnvironment {
        CLIEnvironment(
            variables: ProcessInfo.processInfo.environment, ssh: .process, console: .standard,
            passphraseProvider: TerminalPassphrasePrompt.provider())
    }

    /// The value of `name`, or `nil` when unset or empty.
    func variable(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `$XDG_STATE_HOME/exe`, or `~/.local/state/exe`.
    var stateDirectory: String {
        (variable("XDG_STATE_HOME") ?? ssh.homeDirectory + "/.local/state") + "/exe"
    }
}
