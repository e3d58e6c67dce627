public import Foundation
import ExeSystem

/// SSH signatures of files and messages in OpenSSH's `SSHSIG` format
/// (PROTOCOL.sshsig), what `ssh-keygen -Y sign -n NAMESPACE` makes.
public enum SSHSignature {
    /// The binary signature blob of `message` in `namespace`, signed by
    /// `signer` over the SHA-512 of the message.
    public static func sign(_ message: Data, namespace: String, with signer: any SSHDataSigner) throws(SSHError) -> Data {
        let hashAlgorithm = signer.signatureHashAlgorithm
        var signed = SSHWireWriter()
        signed.data.append(contentsOf: Array("SSHSIG".utf8))
        signed.string(namespace)
        signed.string("")
        signed.string(hashAlgorithm)
        signed.string(SHA512Hasher.digest(message))
        let signature = try signer.sign(signed.data)
        var blob = SSHWireWriter()
        blob.data.append(contentsOf: Array("SSHSIG".utf8))
        blob.uint32(1)
        blob.string(signer.publicKeyBlob)
        blob.string(namespace)
        blob.string("")
        blob.string(hashAlgorithm)
        blob.string(signature)
        return blob.data
    }

    /// The blob in PEM armour (`-----BEGIN SSH SIGNATURE-----`, 70-column
    /// base64), as `ssh-keygen -Y sign` writes it.
    public static func armored(_ blob: Data) -> String {
        let base64 = blob.base64EncodedString()
        var lines = ["-----BEGIN SSH SIGNATURE-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END SSH SIGNATURE-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
