public import ExeSSH

extension SimulatorHarness {
    /// The control plane as an ExeSSH destination (`user@127.0.0.1:port`).
    public var controlDestination: SSHDestination { SSHDestination(host: controlHost, port: controlPort, user: user) }

    /// A client configuration that reads only the simulator's files: the
    /// private key `identity`, the simulator's known_hosts (the control
    /// plane's key, which every VM presents: checked as `hostKeyAlias`), strict host key checking, no agent, no `~/.ssh`.
    public func clientConfiguration(identity: String) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: directory.path, userName: user, agentSocket: nil)
        configuration.identityFiles = [identity]
        configuration.useDefaultIdentities = false
        configuration.useAgent = false
        configuration.hostKeyPolicy = .strict
        configuration.knownHostsFiles = [knownHostsPath]
        // VMs present the control plane's key: check it under the control
        // host's name, as exe-cli does (HostKeyAlias).
        configuration.hostKeyAlias = controlKnownHostsName
        configuration.connectTimeout = .seconds(10)
        configuration.handshakeTimeout = .seconds(10)
        configuration.warningHandler = { _ in }
        return configuration
    }
}
