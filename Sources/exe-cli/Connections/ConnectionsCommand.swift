import ArgumentParser
import Foundation

/// `exe-cli connections`: what the connection holder holds; `stop` ends it.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "List the SSH connections the connection holder keeps open between calls.",
        discussion: """
            exe-cli keeps SSH connections open in a background holder (started by the first call that needs one), \
            so later calls skip the TCP and SSH handshakes. It ends after 10 minutes without a command \
            (EXE_PERSIST_IDLE), or with `exe-cli connections stop`. EXE_PERSIST=0 or --no-persist connects directly.
            """,
        subcommands: [ConnectionsListCommand.self, ConnectionsStopCommand.self, ConnectionsServeCommand.self],
        defaultSubcommand: ConnectionsListCommand.self)
}

/// `exe-cli connections ls`.
struct ConnectionsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List held connections (the default).")

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        let output = Output(json: global.json || environment.variable("EXE_JSON") == "1", console: environment.console)
        let persistence: ConnectionPersistence
        do {
            persistence = try ConnectionPersistence(noPersist: false, verbose: global.verbose, environment: environment)
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
        let listing: HolderListing?
        do {
            listing = try persistence.client.listing()
        } catch {
            environment.console.printError("error: the connection holder did not answer: \(error)")
            throw CLIExit(.transport)
        }
        let shown = listing ?? HolderListing(
            pid: 0, socket: persistence.location.socketPath, idleTimeoutSeconds: 0, connections: [])
        try output.result(ConnectionsReport(running: listing != nil, listing: shown)) {
            guard let listing else { return "no connection holder is running" }
            let rows = listing.connections.map { connection in
                [
                    connection.destination, connection.alive ? "open" : "closed", String(connection.commandsRun),
                    String(connection.connectionsOpened), connection.identityFiles.joined(separator: ","),
                ]
            }
            let header = "connection holder pid \(listing.pid), idle timeout \(listing.idleTimeoutSeconds) s, socket \(listing.socket)"
            return header + (rows.isEmpty ? "" : "\n\n" + output.table(["DESTINATION", "STATE", "COMMANDS", "CONNECTS", "IDENTITY"], rows))
        }
    }
}

/// The `--json` shape of `exe-cli connections`.
struct ConnectionsReport: Encodable {
    var running: Bool
    var listing: HolderListing

    enum CodingKeys: String, CodingKey { case running, pid, socket, connections, idleTimeoutSeconds = "idle_timeout_seconds" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(running, forKey: .running)
        if running {
            try container.encode(listing.pid, forKey: .pid)
            try container.encode(listing.idleTimeoutSeconds, forKey: .idleTimeoutSeconds)
        }
        try container.encode(listing.socket, forKey: .socket)
        try container.encode(listing.connections, forKey: .connections)
    }
}

/// `exe-cli connections stop`.
struct ConnectionsStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "End the connection holder and close its connections.")

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        let persistence: ConnectionPersistence
        do {
            persistence = try ConnectionPersistence(noPersist: false, verbose: global.verbose, environment: environment)
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
        do {
            let stopped = try persistence.client.stop()
            if !global.json { environment.console.print(stopped ? "stopped the connection holder" : "no connection holder is running") }
            else { environment.console.print("{\"stopped\":\(stopped)}") }
        } catch {
            environment.console.printError("error: the connection holder did not answer: \(error)")
            throw CLIExit(.transport)
        }
    }
}

/// `exe-cli connections serve`: the holder itself (started by exe-cli on demand).
struct ConnectionsServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the connection holder in the foreground (exe-cli starts it on demand).",
        shouldDisplay: false)

    @Option(help: "End after this many seconds without a command.") var idle: Int = 600
    @Option(help: "The private directory for the socket (default: $XDG_RUNTIME_DIR/exe or the state directory's run/).")
    var directory: String?

    func validate() throws {
        if idle <= 0 { throw ValidationError("--idle must be positive") }
    }

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        let location = directory.map(HolderLocation.init(directory:)) ?? HolderLocation(environment: environment)
        signal(SIGPIPE, SIG_IGN)
        do {
            try await ConnectionHolder(location: location, idleTimeout: .seconds(idle)).serve()
        } catch {
            environment.console.printError("error: \(error)")
            throw CLIExit(.commandFailed)
        }
    }
}
