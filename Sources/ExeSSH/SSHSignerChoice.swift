import Foundation

/// Picks the key that signs locally made tokens, the way `ssh` picks an
/// identity: the given key file (or `~/.ssh/id_ed25519`) when it is an
/// unencrypted ed25519 key; otherwise that key through the ssh-agent;
/// with no key file at all, the agent's first ed25519 identity.
public enum SSHSignerChoice {
    /// The signer for `identityFile` (a path, `~` expanded) in `environment`.
    ///
    /// - Throws: ``SSHError`` saying what was tried when nothing can sign.
    public static func signer(identityFile: String?, environment: SSHEnvironment) throws(SSHError) -> any SSHDataSigner {
        let path = identityFile.map(environment.expandingTilde) ?? environment.homeDirectory + "/.ssh/id_ed25519"
        let fileExists = FileManager.default.fileExists(atPath: path)
        var fileError: SSHError?
        if fileExists {
            do { return try Ed25519KeyFileSigner(path: path) } catch { fileError = error }
        } else if identityFile != nil {
            throw SSHError(.keyFile, "no private key at \(path)")
        }
        guard let socket = environment.agentSocket else {
            throw fileError ?? SSHError(.keyFile, "no key to sign with: no \(path) and no ssh-agent (SSH_AUTH_SOCK)")
        }
        var wanted: Data?
        if fileExists {
            guard let line = try? String(contentsOfFile: path + ".pub", encoding: .utf8),
                let field = line.split(separator: " ").dropFirst().first, let blob = Data(base64Encoded: String(field))
            else {
                throw SSHError(.keyFile, (fileError?.message ?? "cannot use \(path)") + "; and \(path).pub is missing, so the agent key cannot be chosen")
            }
            wanted = blob
        }
        do { return try SSHAgentSigner(socketPath: socket, wantedKey: wanted) } catch {
            if let fileError { throw SSHError(.keyFile, fileError.message + "; " + error.message) }
            throw error
        }
    }
}
