extension ControlClient {
    /// Creates a client for `configuration`, runs `body` with it, and
    /// closes it afterwards (its pooled connections included), whether
    /// `body` returns or throws.
    ///
    /// ```swift
    /// let vms = try await ControlClient.withClient(configuration: .ssh(.init(destination: destination, ssh: ssh))) { client in
    ///     try await client.list().vms
    /// }
    /// ```
    public static func withClient<T>(configuration: Configuration, _ body: (ControlClient) async throws -> T) async throws -> T {
        let client = try ControlClient(configuration: configuration)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
