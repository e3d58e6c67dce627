import Foundation

/// Host and client keys shared by every test server of one test process:
/// generating them (RSA especially) for each server would cost seconds.
public struct TestKeyring: Sendable {
    /// The servers' ed25519 host key.
    public let hostEd25519: SSHKeyPair
    /// The servers' ECDSA host key.
    public let hostECDSA: SSHKeyPair
    /// An unencrypted ed25519 client key.
    public let clientKey: SSHKeyPair
    /// An ed25519 client key encrypted with ``passphrase``.
    public let encryptedClientKey: SSHKeyPair
    /// An RSA client key.
    public let rsaClientKey: SSHKeyPair
    /// A second ed25519 client key that no server authorizes.
    public let strangerKey: SSHKeyPair
    /// The passphrase of ``encryptedClientKey``.
    public static let passphrase = "correct horse battery staple"

    private static let generation = Task<TestKeyring, any Error> {
        let directory = try TemporaryDirectory(prefix: "exe-test-keys")
        async let hostEd = SSHKeyPair.generate(type: "ed25519", at: directory.file("host_ed25519"))
        async let hostEc = SSHKeyPair.generate(type: "ecdsa", at: directory.file("host_ecdsa"))
        async let client = SSHKeyPair.generate(type: "ed25519", at: directory.file("client_ed25519"))
        async let rsa = SSHKeyPair.generate(type: "rsa", at: directory.file("client_rsa"))
        async let stranger = SSHKeyPair.generate(type: "ed25519", at: directory.file("stranger_ed25519"))
        let encrypted = try await SSHKeyPair.generate(type: "ed25519", at: directory.file("client_encrypted"), passphrase: passphrase)
        return try await TestKeyring(
            hostEd25519: hostEd, hostECDSA: hostEc, clientKey: client, encryptedClientKey: encrypted,
            rsaClientKey: rsa, strangerKey: stranger)
    }

    /// The keyring, generated on first use.
    public static func shared() async throws -> TestKeyring { try await generation.value }
}
