extension Leases {
    /// Runs `body`, wrapping what the layers below throw into ``LeaseError``
    /// (``LeaseError/wrapping(_:)``).
    func wrappingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw LeaseError.wrapping(error)
        }
    }
}
