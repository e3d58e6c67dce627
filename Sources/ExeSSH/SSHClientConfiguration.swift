import Foundation

/// How an ``SSHConnection`` verifies the server, authenticates and times out.
public struct SSHClientConfiguration: Sendable {
    /// What to do with the server's host key. Strict by default.
    public var hostKeyPolicy: HostKeyPolicy = .strict
    /// `known_hosts` files to read; `~` is expanded.
    public var knownHostsFiles: [String] = ["~/.ssh/known_hosts"]
    /// The tool-owned `known_hosts` file that ``HostKeyPolicy/acceptNew``
    /// records new keys in (also read when checking).
    public var knownHostsWriteFile: String?
    /// The name to look the host key up under in `known_hosts`, instead of
    /// the destination's (OpenSSH's `HostKeyAlias`, used verbatim: no port is
    /// added). exe.dev's VMs present exe.dev's own host key, so a VM reached
    /// through the control plane is checked under the control host's name.
    public var hostKeyAlias: String?
    /// Private key files to try first, in order.
    public var identityFiles: [String] = []
    /// Also try `~/.ssh/id_ed25519` and `~/.ssh/id_ecdsa` after the explicit ones.
    public var useDefaultIdentities = true
    /// Try the identities of the ssh-agent at ``SSHEnvironment/agentSocket`` first.
    public var useAgent = true
    /// Asked for the passphrase of encrypted key files.
    public var passphraseProvider: PassphraseProvider?
    /// The deadline for looking up the host name and opening the TCP connection.
    public var connectTimeout: Duration = .seconds(10)
    /// The deadline for the SSH handshake (banner and key exchange).
    public var handshakeTimeout: Duration = .seconds(15)
    /// The deadline for authentication.
    public var authenticationTimeout: Duration = .seconds(30)
    /// How often to send a keepalive while the connection is idle; `nil` disables it.
    public var keepaliveInterval: Duration? = .seconds(15)
    /// How many keepalive intervals may pass without a byte from the server
    /// before the connection is declared dead.
    public var keepaliveCountMax = 3
    /// Channels opened at once on one connection. OpenSSH's `MaxSessions`
    /// defaults to 10; further commands wait for a free channel.
    public var maxChannelsPerConnection = 10
    /// Session channels to keep open ahead of need (0 or 1). With one, a
    /// command on a connection that is already up skips the channel-open
    /// round trip: its exec request goes out on the spare channel at once,
    /// and the next spare is opened alongside. Meant for long-lived
    /// connections that serve many short commands (exe-cli's connection
    /// holder); a spare the server has closed is discarded and the command
    /// opens a channel as usual.
    public var spareSessionChannels = 0
    /// Where `~`, the login user and the agent socket come from.
    public var environment: SSHEnvironment = .process
    /// Receives warnings meant for the user (insecure policy, skipped keys).
    public var warningHandler: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }

    /// Creates the default configuration.
    public init() {}

    /// Applies what an `ssh_config` file says about a host: identity files,
    /// known-hosts files, the host key policy, `HostKeyAlias` and `ConnectTimeout`. Host name, user and port
    /// are applied by ``SSHHostSettings/destination(for:environment:)``.
    public mutating func apply(_ settings: SSHHostSettings) {
        if !settings.identityFiles.isEmpty {
            identityFiles += settings.identityFiles.filter { !identityFiles.contains($0) }
        }
        if !settings.userKnownHostsFiles.isEmpty { knownHostsFiles = settings.userKnownHostsFiles }
        if let policy = settings.strictHostKeyChecking { hostKeyPolicy = policy }
        if let alias = settings.hostKeyAlias { hostKeyAlias = alias }
        if let timeout = settings.connectTimeout { connectTimeout = timeout }
    }
}
