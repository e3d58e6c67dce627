/// The `ssh-key` subcommands (reference §4.11).
public struct SSHKeyCommands: Sendable {
    let client: ControlClient

    /// `ssh-key list`.
    public func list() async throws(ControlError) -> [SSHKey] {
        try await client.decode(SSHKeyList.self, .listSSHKeys).keys
    }

    /// `ssh-key add '<public key> [comment]'`.
    @discardableResult
    public func add(_ publicKey: String) async throws(ControlError) -> SSHKeyChange {
        try await client.decode(SSHKeyChange.self, .addSSHKey(publicKey))
    }

    /// `ssh-key remove <name | SHA256:fingerprint | public key>`.
    @discardableResult
    public func remove(_ identifier: String) async throws(ControlError) -> SSHKeyChange {
        try await client.decode(SSHKeyChange.self, .removeSSHKey(identifier))
    }

    /// `ssh-key rename <old> <new>`.
    @discardableResult
    public func rename(_ name: String, to newName: String) async throws(ControlError) -> SSHKeyChange {
        try await client.decode(SSHKeyChange.self, .renameSSHKey(name, to: newName))
    }

    /// `ssh-key generate-api-key`: a new token for the HTTPS API (or a VM's
    /// proxy with ``APIKeyOptions/vm``).
    public func generateAPIKey(_ options: APIKeyOptions = APIKeyOptions()) async throws(ControlError) -> APIKey {
        // The output carries a secret the client did not know in advance:
        // keep it out of any error.
        try await client.execute(.generateAPIKey(options)).decodeLast(APIKey.self, showingRawOutput: false)
    }
}
