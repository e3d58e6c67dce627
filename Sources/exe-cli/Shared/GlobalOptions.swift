import ArgumentParser

/// The options every `exe-cli` command takes: how to reach exe.dev
/// (``ConnectionOptions``) and `--json`. Each is also an environment
/// variable (the option wins). Include with
/// `@OptionGroup(title: "Global options") var global: GlobalOptions`.
struct GlobalOptions: ParsableArguments {
    /// `ssh` or `https`.
    typealias TransportChoice = ConnectionOptions.TransportChoice
    /// `strict` or `accept-new`.
    typealias HostKeyPolicyChoice = ConnectionOptions.HostKeyPolicyChoice

    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .customLong("json"), help: "Print the result as JSON on stdout [env: EXE_JSON=1].")
    var json = false

    init() {}

    var controlHost: String? { connection.controlHost }
    var identity: String? { connection.identity }
    var knownHosts: String? { connection.knownHosts }
    var hostKeyPolicy: HostKeyPolicyChoice? { connection.hostKeyPolicy }
    var transport: TransportChoice? { connection.transport }
    var apiURL: String? { connection.apiURL }
    var token: String? { connection.token }
    var caFile: String? { connection.caFile }
    var rateLimitRetries: Int? { connection.rateLimitRetries }
    var noPersist: Bool { connection.noPersist }
    var verbose: Bool { connection.verbose }
}

/// How to reach exe.dev: the global options without `--json`. The commands
/// whose output is the remote command's own (`vm exec`, `vm ssh`) print no
/// JSON, so they include only these:
/// `@OptionGroup(title: "Global options") var connection: ConnectionOptions`.
struct ConnectionOptions: ParsableArguments {
    /// `ssh` or `https`.
    enum TransportChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case ssh, https
    }

    /// `strict` or `accept-new`.
    enum HostKeyPolicyChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case strict
        case acceptNew = "accept-new"
    }

    @Option(name: .customLong("control-host"), help: "The control host, host or host:port [env: EXE_CONTROL_HOST] (default: exe.dev).")
    var controlHost: String?

    @Option(name: .customLong("identity"), help: "A private key file to authenticate with [env: EXE_IDENTITY].")
    var identity: String?

    @Option(name: .customLong("known-hosts"), help: "A known_hosts file to trust (and record new keys in) [env: EXE_KNOWN_HOSTS].")
    var knownHosts: String?

    @Option(name: .customLong("host-key-policy"), help: "strict or accept-new [env: EXE_HOST_KEY_POLICY] (default: strict).")
    var hostKeyPolicy: HostKeyPolicyChoice?

    @Option(name: .customLong("transport"), help: "ssh or https [env: EXE_TRANSPORT] (default: ssh).")
    var transport: TransportChoice?

    @Option(name: .customLong("api-url"), help: "The HTTPS API endpoint [env: EXE_API_URL] (default: https://exe.dev/exec).")
    var apiURL: String?

    @Option(name: .customLong("token"), help: "The HTTPS API token [env: EXE_API_TOKEN]; prefer the variable (argv is visible to other users).")
    var token: String?

    @Option(
        name: .customLong("cacert"),
        help: "HTTPS: trust only the CA certificates in this PEM file (exe-sim up --tls prints one) instead of the system's [env: EXE_CA_FILE].")
    var caFile: String?

    @Option(
        name: .customLong("rate-limit-retries"),
        help: "HTTPS: how often to retry a command the server rate-limited (429), waiting as Retry-After says, at most 10 s each and 30 s in all; 0 fails at once [env: EXE_RATE_LIMIT_RETRIES] (default: 3).")
    var rateLimitRetries: Int?

    @Flag(
        name: .customLong("no-persist"),
        help: "Connect directly instead of through the connection holder that keeps SSH connections open between calls [env: EXE_PERSIST=0].")
    var noPersist = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Say on stderr how connections are made (connection holder or direct).")
    var verbose = false

    init() {}
}
