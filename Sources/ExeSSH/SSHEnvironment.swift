import Foundation

/// The parts of the process environment that ExeSSH reads, injected so tests
/// (and callers with unusual setups) can replace them.
public struct SSHEnvironment: Sendable {
    /// The user's home directory; `~` in paths expands to it.
    public var homeDirectory: String
    /// The local user name: the default login user.
    public var userName: String
    /// The ssh-agent socket (`SSH_AUTH_SOCK`), if any.
    public var agentSocket: String?

    /// Creates an environment.
    public init(homeDirectory: String, userName: String, agentSocket: String?) {
        self.homeDirectory = homeDirectory
        self.userName = userName
        self.agentSocket = agentSocket
    }

    /// The environment of this process.
    public static var process: SSHEnvironment {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? NSHomeDirectory()
        let user = env["USER"] ?? env["LOGNAME"] ?? NSUserName()
        let socket = env["SSH_AUTH_SOCK"].flatMap { $0.isEmpty ? nil : $0 }
        return SSHEnvironment(homeDirectory: home, userName: user, agentSocket: socket)
    }

    /// Expands a leading `~/` (or a lone `~`) to the home directory.
    public func expandingTilde(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + String(path.dropFirst(1)) }
        return path
    }
}
