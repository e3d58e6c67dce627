import ExeControl
import ExeDeploy
import ExeSSH
import ExeSystem
import Foundation

/// The global options resolved against the environment: what a command
/// needs to build a ``ControlClient`` and to reach VMs.
struct ControlSettings: Sendable {
    var transport: GlobalOptions.TransportChoice
    /// `host`, `host:port` or `user@host:port` as given.
    var controlHost: String
    var identity: String?
    var knownHosts: String?
    /// Explicitly chosen; otherwise ~/.ssh/config or strict.
    var hostKeyPolicy: HostKeyPolicy?
    var apiURL: URL
    var token: Secret?
    /// Which CAs HTTPS servers' certificates (`/exec`, VM URLs) must chain to.
    var trust: TLSTrust
    var json: Bool
    /// HTTPS: how a 429 is retried; `nil` fails at once.
    var rateLimitRetry: HTTPSControlTransport.RateLimitRetry?
    /// SSH connections kept open across calls by the connection holder.
    var persistence: ConnectionPersistence

    /// Retries of a rate-limited command unless `--rate-limit-retries` or
    /// `EXE_RATE_LIMIT_RETRIES` says otherwise.
    static let defaultRateLimitRetries = 3
    /// The longest single `Retry-After` the CLI waits out.
    static let rateLimitMaxWait = Duration.seconds(10)
    /// The most the CLI waits for the rate limit in one command.
    static let rateLimitMaxTotalWait = Duration.seconds(30)

    /// Resolves `options` against `environment` (option, then variable, then default).
    ///
    /// - Throws: ``CLIUsageError`` for values that cannot work.
    init(_ options: GlobalOptions, environment: CLIEnvironment) throws(CLIUsageError) {
        try self.init(options.connection, json: options.json, environment: environment)
    }

    /// The settings of `options`, for commands without `--json` (`json`: false).
    init(_ options: ConnectionOptions, json: Bool, environment: CLIEnvironment) throws(CLIUsageError) {
        let transportText = options.transport?.rawValue ?? environment.variable("EXE_TRANSPORT") ?? "ssh"
        guard let transport = GlobalOptions.TransportChoice(rawValue: transportText.lowercased()) else {
            throw CLIUsageError("invalid transport \"\(transportText)\" (use ssh or https)")
        }
        self.transport = transport
        controlHost = options.controlHost ?? environment.variable("EXE_CONTROL_HOST") ?? "exe.dev"
        identity = options.identity ?? environment.variable("EXE_IDENTITY")
        knownHosts = options.knownHosts ?? environment.variable("EXE_KNOWN_HOSTS")
        if let policyText = options.hostKeyPolicy?.rawValue ?? environment.variable("EXE_HOST_KEY_POLICY") {
            guard let choice = GlobalOptions.HostKeyPolicyChoice(rawValue: policyText.lowercased()) else {
                throw CLIUsageError("invalid host key policy \"\(policyText)\" (use strict or accept-new)")
            }
            hostKeyPolicy = choice == .strict ? .strict : .acceptNew
        }
        let urlText = options.apiURL ?? environment.variable("EXE_API_URL") ?? "https://exe.dev/exec"
        guard let url = URL(string: urlText), url.scheme != nil, url.host != nil else {
            throw CLIUsageError("invalid API URL \"\(urlText)\"")
        }
        apiURL = url
        token = (options.token ?? environment.variable("EXE_API_TOKEN")).map(Secret.init)
        let caFile = options.caFile ?? environment.variable("EXE_CA_FILE")
        if let caFile, !caFile.isEmpty {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw CLIUsageError("cannot read the CA file \"\(caFile)\" (--cacert or EXE_CA_FILE)")
            }
        }
        trust = TLSTrust(caFile: caFile)
        self.json = json || ["1", "true", "yes"].contains(environment.variable("EXE_JSON")?.lowercased() ?? "")
        let retriesText = options.rateLimitRetries.map(String.init) ?? environment.variable("EXE_RATE_LIMIT_RETRIES")
        var retries = Self.defaultRateLimitRetries
        if let retriesText {
            guard let count = Int(retriesText), count >= 0 else {
                throw CLIUsageError("invalid rate limit retries \"\(retriesText)\" (use a whole number, 0 to fail at once)")
            }
            retries = count
        }
        persistence = try ConnectionPersistence(noPersist: options.noPersist, verbose: options.verbose, environment: environment)
        rateLimitRetry = retries == 0
            ? nil
            : .init(maxRetries: retries, maxWait: Self.rateLimitMaxWait, maxTotalWait: Self.rateLimitMaxTotalWait)
    }

    /// The client the settings describe.
    func makeClient(environment: CLIEnvironment) throws -> ControlClient {
        switch transport {
        case .ssh:
            let (destination, configuration) = try controlPlaneSSH(environment: environment)
            let persistence = self.persistence
            let pool = SSHConnectionPool(configuration: configuration, maxConnectionsPerDestination: 1) { destination, configuration in
                try await persistence.connect(to: destination, configuration: configuration)
            }
            return ControlClient(transport: SSHControlTransport(destination: destination, pool: pool))
        case .https:
            return try ControlClient(configuration: .https(httpsConfiguration(environment: environment)))
        }
    }

    /// The HTTPS configuration: the given token, or (with none) a
    /// short-lived exe0 token minted per request with the local SSH key
    /// (``SSHSignerChoice``), allowing only that request's command.
    func httpsConfiguration(environment: CLIEnvironment) throws -> HTTPSControlTransport.Configuration {
        let proxy: HTTPProxy?
        do { proxy = try HTTPProxy.forURL(apiURL, environment: environment.variables) } catch {
            throw ControlError(.invalidArgument, error.message)
        }
        if let token {
            var configuration = HTTPSControlTransport.Configuration(endpoint: apiURL, token: token, rateLimitRetry: rateLimitRetry)
            configuration.trust = trust
            configuration.proxy = proxy
            return configuration
        }
        let signer: any SSHDataSigner
        do { signer = try SSHSignerChoice.signer(identityFile: identity, environment: environment.ssh) } catch {
            throw ControlError(
                .authenticationFailed,
                "the https transport needs a token: set EXE_API_TOKEN or pass --token (minting one locally failed: \(error.message))")
        }
        var configuration = HTTPSControlTransport.Configuration(endpoint: apiURL, token: Secret(""), rateLimitRetry: rateLimitRetry)
        configuration.minter = TokenMinter(signer: signer)
        configuration.trust = trust
        configuration.proxy = proxy
        return configuration
    }

    /// The health-check client: VM URLs reached through `EXE_VM_PROXY`
    /// when set, certificates checked against ``trust``.
    func httpProbe(environment: CLIEnvironment) -> HTTPClientProbe {
        HTTPClientProbe(connectTo: environment.variable("EXE_VM_PROXY"), trust: trust, proxyEnvironment: environment.variables)
    }

    /// The SSH policy the settings describe (``SSHSettingsResolver``):
    /// `~/.ssh/config`, then `--identity`, `--known-hosts` and the host key policy.
    func sshResolver(environment: CLIEnvironment) -> SSHSettingsResolver {
        let console = environment.console
        return SSHSettingsResolver(
            environment: environment.ssh, identity: identity, knownHosts: knownHosts, hostKeyPolicy: hostKeyPolicy,
            stateDirectory: environment.stateDirectory, sshConfig: .userDefault(environment: environment.ssh),
            passphraseProvider: environment.passphraseProvider, warningHandler: { message in console.printError("warning: " + message) })
    }

    /// Where the control host is and how to connect to it, with what
    /// `~/.ssh/config` says about it (HostName, User, Port, IdentityFile,
    /// UserKnownHostsFile, StrictHostKeyChecking).
    func controlPlaneSSH(environment: CLIEnvironment) throws -> (SSHDestination, SSHClientConfiguration) {
        let resolver = sshResolver(environment: environment)
        let given = try SSHDestination.parse(controlHost, defaultUser: environment.ssh.userName)
        if let proxy = resolver.sshConfig.settings(for: given.host).proxy {
            throw CLIUsageError(
                "~/.ssh/config sets \(proxy) for \(given.host), and exe-cli connects only directly: remove the line for \(given.host), or use --transport https")
        }
        return try resolver.controlHost(controlHost)
    }

    /// The SSH configuration for a VM at `host` (for `vm exec` / `vm ssh`),
    /// with what `~/.ssh/config` says about that host and the control
    /// host's key as the VM's (``SSHSettingsResolver/configuration(forVM:controlHost:)``).
    func vmSSHConfiguration(host: String, environment: CLIEnvironment) -> SSHClientConfiguration {
        sshResolver(environment: environment).configuration(forVM: host, controlHost: controlHost)
    }
}

/// A problem with the command line or its environment variables (exit 2).
struct CLIUsageError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
