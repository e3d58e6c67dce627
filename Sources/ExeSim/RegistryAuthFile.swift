import Foundation
import ExeSystem

/// A containers-auth.json file (what `podman login` writes), mode 0600,
/// so credentials reach podman through a file and never through argv.
enum RegistryAuthFile {
    static func write(registry: String, credentials: Secret, to path: String) throws {
        var existing: [String: [String: String]] = [:]
        if let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let auths = object["auths"] as? [String: [String: String]]
        {
            existing = auths
        }
        existing[registry] = ["auth": Data(credentials.reveal().utf8).base64EncodedString()]
        let data = try JSONSerialization.data(withJSONObject: ["auths": existing], options: [.sortedKeys])
        try AtomicFile.write(data, to: path, mode: 0o600)
    }
}
