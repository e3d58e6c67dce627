import Foundation
import ExeSystem

/// Verifies an SSHSIG signature against a registered key and namespace with
/// OpenSSH's own `ssh-keygen -Y verify` (the real server uses
/// `hiddeco/sshsig`, which implements the same PROTOCOL.sshsig): every key
/// type OpenSSH knows, the namespace compared exactly.
struct TokenSignatureVerifier: Sendable {
    let runner: SyncProcessRunner
    /// A private directory for the allowed-signers and signature files.
    let scratchDirectory: String

    /// Whether `signature` is a valid signature of `message` by `publicKey`
    /// (`type base64`) in `namespace`.
    func verify(message: [UInt8], signature: Data, publicKey: String, namespace: String) -> Bool {
        guard !namespace.contains("\""), !namespace.contains("\n"), !publicKey.contains("\n") else { return false }
        try? FileManager.default.createDirectory(
            atPath: scratchDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let base = scratchDirectory + "/verify-" + UUID().uuidString
        let signers = base + ".signers"
        let signatureFile = base + ".sig"
        defer {
            for path in [signers, signatureFile] { try? FileManager.default.removeItem(atPath: path) }
        }
        let armored = "-----BEGIN SSH SIGNATURE-----\n"
            + signature.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END SSH SIGNATURE-----\n"
        do {
            try Data("token namespaces=\"\(namespace)\" \(publicKey)\n".utf8).write(to: URL(fileURLWithPath: signers))
            try Data(armored.utf8).write(to: URL(fileURLWithPath: signatureFile))
        } catch {
            return false
        }
        let invocation = ProcessInvocation(
            "ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "token", "-n", namespace, "-s", signatureFile],
            standardInput: Data(message), timeout: .seconds(10))
        guard let output = try? runner.run(invocation) else { return false }
        return output.status == 0
    }
}
