import ExeControl
import ExeSSH

extension DeployContext {
    /// Runs `body` with a connection to `vm`, closing it (and waiting
    /// for its thread) afterwards, whether `body` succeeds or throws.
    func withConnection<T: Sendable>(to vm: VM, _ body: (any RemoteHost) async throws -> T) async throws -> T {
        let connection = try await connect(vm)
        do {
            let result = try await body(connection)
            await CleanupTask.run { await connection.close() }
            return result
        } catch {
            await CleanupTask.run { await connection.close() }
            throw error
        }
    }
}
