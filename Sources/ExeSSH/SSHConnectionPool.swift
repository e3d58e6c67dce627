/// Reuses connections per destination, so a thousand operations against one
/// host cost one handshake, and replaces dead connections on next use. A
/// command that failed because its connection had died before the command
/// was sent is run once more on a new connection (see
/// ``run(_:on:stdin:timeout:check:)``).
///
/// When every connection to a host has all its channels busy (OpenSSH's
/// `MaxSessions`), the pool opens another one, up to
/// ``maxConnectionsPerDestination``; beyond that, work queues inside the
/// least loaded connection. Callers never see the channel limit.
public actor SSHConnectionPool {
    private struct Key: Hashable {
        var destination: SSHDestination
    }

    /// The configuration every pooled connection uses.
    public let configuration: SSHClientConfiguration
    /// The most connections opened to one destination.
    public let maxConnectionsPerDestination: Int
    private var connections: [Key: [SSHConnection]] = [:]
    private var pending: [Key: Task<SSHConnection, any Error>] = [:]
    /// How many connections this pool has opened (handshakes made).
    public private(set) var connectionsOpened = 0

    /// Opens a connection; ``SSHConnection/connect(to:configuration:)`` unless
    /// the pool was created with another connector.
    private let connector: @Sendable (SSHDestination, SSHClientConfiguration) async throws -> SSHConnection

    /// Creates an empty pool.
    public init(configuration: SSHClientConfiguration, maxConnectionsPerDestination: Int = 4) {
        self.init(configuration: configuration, maxConnectionsPerDestination: maxConnectionsPerDestination) {
            try await SSHConnection.connect(to: $0, configuration: $1)
        }
    }

    /// Creates an empty pool whose connections `connector` opens (for
    /// example relayed ones, ``SSHConnection/relayed(to:through:)``).
    public init(
        configuration: SSHClientConfiguration, maxConnectionsPerDestination: Int,
        connector: @escaping @Sendable (SSHDestination, SSHClientConfiguration) async throws -> SSHConnection
    ) {
        self.configuration = configuration
        self.maxConnectionsPerDestination = max(1, maxConnectionsPerDestination)
        self.connector = connector
    }

    /// A live connection to `destination`: an existing one with free
    /// channels, or a new one.
    public func connection(to destination: SSHDestination) async throws -> SSHConnection {
        let key = Key(destination: destination)
        var live = (connections[key] ?? []).filter(\.isAlive)
        connections[key] = live
        let capacity = max(1, configuration.maxChannelsPerConnection)
        if let best = live.min(by: { $0.load < $1.load }),
            best.load < capacity || live.count >= maxConnectionsPerDestination
        {
            return best
        }
        if let inFlight = pending[key] {
            if let best = live.min(by: { $0.load < $1.load }) { return best }
            return try await inFlight.value
        }
        let configuration = self.configuration
        let connector = self.connector
        let task = Task { try await connector(destination, configuration) }
        pending[key] = task
        defer { pending[key] = nil }
        let connection = try await task.value
        connectionsOpened += 1
        live = (connections[key] ?? []).filter(\.isAlive)
        live.append(connection)
        connections[key] = live
        return connection
    }

    /// Runs `command` on a pooled connection to `destination`.
    ///
    /// A pooled connection may have died since its last use (the server
    /// restarted, the network dropped it) without the pool knowing yet. When
    /// the command fails with ``SSHError/Kind/disconnected`` before its start
    /// request was sent, so that nothing ran on the server, the pool opens a
    /// new connection and runs it once more. A command that may have started
    /// is never retried, and neither is one whose `stdin` is a stream (it
    /// cannot be read twice).
    @discardableResult
    public func run(_ command: String, on destination: SSHDestination, stdin: CommandInput = .none, timeout: Duration? = nil, check: Bool = false) async throws -> CommandResult {
        let connection = try await connection(to: destination)
        do {
            return try await connection.run(command, stdin: stdin, timeout: timeout, check: check)
        } catch let error as SSHError where error.kind == .disconnected && error.commandNeverStarted && stdin.isReplayable {
            forget(connection, to: destination)
            let fresh = try await self.connection(to: destination)
            return try await fresh.run(command, stdin: stdin, timeout: timeout, check: check)
        }
    }

    /// Drops `connection` from the pool (it is dead).
    private func forget(_ connection: SSHConnection, to destination: SSHDestination) {
        let key = Key(destination: destination)
        connections[key]?.removeAll { $0 === connection }
    }

    /// Connections in the pool that are still alive.
    public var liveConnectionCount: Int { connections.values.reduce(0) { $0 + $1.filter(\.isAlive).count } }

    /// Closes every connection and waits until they are released.
    public func closeAll() async {
        let all = connections.values.flatMap { $0 }
        connections.removeAll()
        for connection in all { await connection.close() }
    }
}
