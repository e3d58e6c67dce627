public import Foundation

/// How exe-cli decides where and how to connect, as a value a library user
/// can use too: what `~/.ssh/config` says about a host (HostName, User,
/// Port, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking), with an
/// identity, a known-hosts file and a host-key policy given explicitly put
/// first, and accepted keys recorded in a known-hosts file the tool owns.
///
/// ```swift
/// let resolver = SSHSettingsResolver(identity: "~/.ssh/ci_key", knownHosts: "~/.ssh/known_hosts")
/// let (destination, configuration) = try resolver.controlHost("exe.dev")
/// let vmConfiguration = resolver.configuration(forHost: "my-vm.exe.xyz")
/// ```
public struct SSHSettingsResolver: Sendable {
    /// Home directory, user name and agent socket.
    public var environment: SSHEnvironment
    /// An identity file tried before any other (`--identity`).
    public var identity: String?
    /// A known-hosts file read first and written to (`--known-hosts`).
    public var knownHosts: String?
    /// The host-key policy; `nil` takes what ssh_config says, else strict.
    public var hostKeyPolicy: HostKeyPolicy?
    /// Where keys accepted under `accept-new` are recorded when no
    /// ``knownHosts`` is given (`<stateDirectory>/known_hosts`).
    public var stateDirectory: String
    /// The ssh_config to apply (`~/.ssh/config` by default).
    public var sshConfig: SSHConfigFile
    /// Asks for a key's passphrase.
    public var passphraseProvider: PassphraseProvider?
    /// Receives warnings (a key file that cannot be read, ...).
    public var warningHandler: @Sendable (String) -> Void

    /// A resolver.
    ///
    /// - Parameters:
    ///   - environment: the home directory, user name and agent socket.
    ///   - identity: a private key file used before any other.
    ///   - knownHosts: the `known_hosts` file to check and record host keys in.
    ///   - hostKeyPolicy: how an unknown or changed host key is treated
    ///     (`nil`: ssh_config's `StrictHostKeyChecking`, else strict).
    ///   - stateDirectory: `nil`: `$XDG_STATE_HOME/exe`, else `~/.local/state/exe`.
    ///   - sshConfig: `nil`: the user's `~/.ssh/config`.
    ///   - passphraseProvider: asks for a key's passphrase (`nil`: keys that
    ///     need one are skipped).
    ///   - warningHandler: receives warnings (a key file that cannot be read).
    public init(
        environment: SSHEnvironment = .process, identity: String? = nil, knownHosts: String? = nil, hostKeyPolicy: HostKeyPolicy? = nil,
        stateDirectory: String? = nil, sshConfig: SSHConfigFile? = nil, passphraseProvider: PassphraseProvider? = nil,
        warningHandler: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.environment = environment
        self.identity = identity
        self.knownHosts = knownHosts
        self.hostKeyPolicy = hostKeyPolicy
        self.stateDirectory = stateDirectory ?? Self.defaultStateDirectory(environment: environment)
        self.sshConfig = sshConfig ?? .userDefault(environment: environment)
        self.passphraseProvider = passphraseProvider
        self.warningHandler = warningHandler
    }

    /// `$XDG_STATE_HOME/exe`, or `~/.local/state/exe`.
    public static func defaultStateDirectory(
        environment: SSHEnvironment, variables: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let state = variables["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? environment.homeDirectory + "/.local/state"
        return state + "/exe"
    }

    /// The control host named by `text` (`host`, `host:port` or
    /// `user@host:port`) and how to connect to it. A port or user in
    /// `text` wins over ssh_config's; otherwise ssh_config's apply.
    public func controlHost(_ text: String) throws -> (SSHDestination, SSHClientConfiguration) {
        let given = try SSHDestination.parse(text, defaultUser: environment.userName)
        let hasPort = text.contains(":") && !text.hasSuffix("]")
        let hasUser = text.contains("@")
        let settings = sshConfig.settings(for: given.host)
        let fromConfig = settings.destination(for: given.host, environment: environment)
        let destination = SSHDestination(
            host: fromConfig.host, port: hasPort ? given.port : fromConfig.port, user: hasUser ? given.user : fromConfig.user)
        return (destination, configuration(applying: settings))
    }

    /// How to connect to a VM at `host`, with what ssh_config says about it.
    public func configuration(forHost host: String) -> SSHClientConfiguration {
        configuration(applying: sshConfig.settings(for: host))
    }

    /// How to connect to a VM at `host` of the control host named by
    /// `controlHost`, with what ssh_config says about the VM.
    ///
    /// exe.dev's VMs present exe.dev's own host key under their own names
    /// (`<vm>.exe.xyz`), so unless ssh_config names a `HostKeyAlias` for
    /// the VM, its key is checked under the control host's `known_hosts`
    /// name (OpenSSH's `HostKeyAlias`): a VM is reached on first contact
    /// when the control host's key is known, and a VM that presents any
    /// other key is refused.
    public func configuration(forVM host: String, controlHost: String) -> SSHClientConfiguration {
        var configuration = configuration(forHost: host)
        if configuration.hostKeyAlias == nil, let (control, controlConfiguration) = try? self.controlHost(controlHost) {
            configuration.hostKeyAlias = controlConfiguration.hostKeyAlias ?? control.knownHostsName
        }
        return configuration
    }

    private func configuration(applying settings: SSHHostSettings) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = environment
        configuration.passphraseProvider = passphraseProvider
        configuration.warningHandler = warningHandler
        configuration.apply(settings)
        if let identity { configuration.identityFiles.insert(environment.expandingTilde(identity), at: 0) }
        if let knownHosts {
            let path = environment.expandingTilde(knownHosts)
            configuration.knownHostsFiles.insert(path, at: 0)
            configuration.knownHostsWriteFile = path
        } else {
            // accept-new records keys in a file this tool owns.
            try? FileManager.default.createDirectory(
                atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            configuration.knownHostsWriteFile = stateDirectory + "/known_hosts"
        }
        if let hostKeyPolicy { configuration.hostKeyPolicy = hostKeyPolicy }
        return configuration
    }
}
