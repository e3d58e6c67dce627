public import Foundation
import ExeSystem

/// Signs with an unencrypted OpenSSH ed25519 private key file
/// (`-----BEGIN OPENSSH PRIVATE KEY-----`), using libcrypto.
///
/// An encrypted key, or a key of another type, is refused with a message
/// that points at the ssh-agent; the private key never leaves this value.
public struct Ed25519KeyFileSigner: SSHDataSigner {
    public let publicKeyBlob: Data
    public var signatureHashAlgorithm: String { "sha512" }
    private let seed: Secret

    /// Reads the key at `path`.
    ///
    /// - Throws: ``SSHError/Kind/keyFile`` when the file is missing,
    ///   unreadable, encrypted, or not an ed25519 key.
    public init(path: String) throws(SSHError) {
        let inspected: PrivateKeyFile?
        do { inspected = try PrivateKeyFile.inspect(path: path) } catch let error as SSHError { throw error } catch {
            throw SSHError(.keyFile, "cannot read the private key \(path): \(error)")
        }
        guard let info = inspected else { throw SSHError(.keyFile, "no private key at \(path)") }
        guard info.format == .openSSH, info.keyType == "ssh-ed25519" else {
            throw SSHError(.keyFile, "\(path) is not an OpenSSH ed25519 key (\(info.keyType ?? "unknown type")): load it into ssh-agent instead")
        }
        guard !info.isEncrypted else {
            throw SSHError(.keyFile, "\(path) is protected by a passphrase: load it into ssh-agent (ssh-add) to sign with it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.keyFile, "cannot read the private key \(path)")
        }
        let body = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            .filter { !$0.hasPrefix("-----") }.joined().trimmingCharacters(in: .whitespacesAndNewlines)
        guard let blob = Data(base64Encoded: body) else { throw SSHError(.keyFile, "\(path): the key is not valid base64") }
        var reader = SSHWireReader(blob)
        guard reader.skipMagic("openssh-key-v1\0"), reader.string() == "none", reader.string() != nil, reader.string() != nil,
            reader.uint32() == 1, let publicBlob = reader.bytes(), let privateSection = reader.bytes()
        else { throw SSHError(.keyFile, "\(path): malformed OpenSSH private key") }
        var section = SSHWireReader(privateSection)
        guard let check1 = section.uint32(), let check2 = section.uint32(), check1 == check2,
            section.string() == "ssh-ed25519", let publicKey = section.bytes(), publicKey.count == 32,
            let privateKey = section.bytes(), privateKey.count == 64
        else { throw SSHError(.keyFile, "\(path): malformed ed25519 private key") }
        let seedBytes = privateKey.prefix(32)
        guard (try? Ed25519.publicKey(seed: Data(seedBytes))) == publicKey else {
            throw SSHError(.keyFile, "\(path): the private key does not match its public key")
        }
        publicKeyBlob = publicBlob
        seed = Secret(seedBytes.base64EncodedString())
    }

    public func sign(_ data: Data) throws(SSHError) -> Data {
        let seedData = Data(base64Encoded: seed.reveal()) ?? Data()
        let signature: Data
        do { signature = try Ed25519.signature(seed: seedData, message: data) } catch {
            throw SSHError(.keyFile, "cannot sign: \(error.description)")
        }
        var writer = SSHWireWriter()
        writer.string("ssh-ed25519")
        writer.string(signature)
        return writer.data
    }
}
