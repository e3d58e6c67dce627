extension SSHConnection {
    /// Connects to `destination`, runs `body` with the connection, and
    /// closes it afterwards (waiting for its thread), whether `body`
    /// returns or throws.
    ///
    /// ```swift
    /// let uname = try await SSHConnection.withConnection(to: destination, configuration: configuration) { connection in
    ///     try await connection.run("uname -a", check: true).stdout
    /// }
    /// ```
    public static func withConnection<T>(
        to destination: SSHDestination, configuration: SSHClientConfiguration, _ body: (SSHConnection) async throws -> T
    ) async throws -> T {
        let connection = try await connect(to: destination, configuration: configuration)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}
