import ExeSSH
import ExeSystem
import Foundation

/// Whether and how `exe-cli` keeps SSH connections open across processes
/// through the connection holder: on unless `--no-persist` or
/// `EXE_PERSIST=0`; the holder ends after `EXE_PERSIST_IDLE` (default 10
/// minutes) without a command.
struct ConnectionPersistence: Sendable {
    /// `false`: every connection is direct.
    var enabled: Bool
    var location: HolderLocation
    var idleTimeout: Duration
    /// Says what the holder does (`-v`).
    var log: @Sendable (String) -> Void

    static let defaultIdleTimeout = Duration.seconds(600)

    /// Resolves the options against the environment.
    ///
    /// - Throws: ``CLIUsageError`` for an unreadable `EXE_PERSIST` or `EXE_PERSIST_IDLE`.
    init(noPersist: Bool, verbose: Bool, environment: CLIEnvironment) throws(CLIUsageError) {
        var enabled = !noPersist
        if let text = environment.variable("EXE_PERSIST")?.lowercased() {
            switch text {
            case "0", "false", "no", "off": enabled = false
            case "1", "true", "yes", "on": break
            default: throw CLIUsageError("invalid EXE_PERSIST \"\(text)\" (use 1 or 0)")
            }
        }
        self.enabled = enabled
        idleTimeout = Self.defaultIdleTimeout
        if let text = environment.variable("EXE_PERSIST_IDLE") {
            guard let duration = Int(text).map({ Duration.seconds($0) }) ?? DurationText.parse(text), duration > .zero else {
                throw CLIUsageError("invalid EXE_PERSIST_IDLE \"\(text)\" (use seconds, or a duration like 10m)")
            }
            idleTimeout = duration
        }
        location = HolderLocation(environment: environment)
        let console = environment.console
        if verbose {
            log = { (text: String) in console.printError("exe-cli: " + text) }
        } else {
            log = { (_: String) in }
        }
    }

    var client: HolderClient { HolderClient(location: location, idleTimeout: idleTimeout, log: log) }

    /// A connection to `destination`: relayed through the holder when
    /// persistence is on (the holder is reached, or started, on the first
    /// command), direct otherwise. A configuration whose key files need a
    /// passphrase it can ask for connects directly (the holder has no terminal).
    func connect(to destination: SSHDestination, configuration: SSHClientConfiguration) async throws -> SSHConnection {
        guard enabled else { return try await SSHConnection.connect(to: destination, configuration: configuration) }
        if configuration.passphraseProvider != nil, configuration.hasEncryptedIdentityFile {
            log("an identity file needs a passphrase; connecting directly")
            return try await SSHConnection.connect(to: destination, configuration: configuration)
        }
        return SSHConnection.relayed(to: destination, through: HolderRelay(client: client, destination: destination, configuration: configuration))
    }
}
