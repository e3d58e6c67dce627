import ExeSystem
import Foundation

/// A key pair made with `ssh-keygen` for a test.
public struct SSHKeyPair: Sendable {
    /// The private key file.
    public let privatePath: String
    /// The `.pub` file.
    public let publicPath: String

    /// The public key line (`type base64 comment`).
    public var publicKey: String {
        ((try? String(contentsOfFile: publicPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Generates a key of `type` (`ed25519`, `ecdsa`, `rsa`) at `path`,
    /// encrypted with `passphrase` when one is given.
    public static func generate(type: String, at path: String, passphrase: String = "", comment: String = "exe-test") async throws -> SSHKeyPair {
        var arguments = ["-q", "-t", type, "-f", path, "-N", passphrase, "-C", comment]
        if type == "rsa" { arguments += ["-b", "2048"] }
        try await LocalProcessRunner().check(ProcessInvocation("ssh-keygen", arguments, timeout: .seconds(30)))
        return SSHKeyPair(privatePath: path, publicPath: path + ".pub")
    }
}
