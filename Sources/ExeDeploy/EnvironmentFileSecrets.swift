import ExeSSH
import Foundation

/// The values in the VM's `/data/.env.production`, learnt before anything
/// from the VM is printed: an app that logs its environment must not put
/// them into `deploy logs`, `deploy status` or a failed deploy's output.
enum EnvironmentFileSecrets {
    /// Learns the values of the env file and of its `.prev` (which a
    /// rollback brings back).
    static func learn(from connection: any RemoteHost, into redactor: inout SecretRedactor) async {
        for path in [RemoteDeployPaths.environmentFile, RemoteDeployPaths.previousEnvironmentFile] {
            guard (try? await connection.attributes(of: path)) != nil,
                let data = try? await connection.download(path, timeout: .seconds(30))
            else { continue }
            redactor.addValues(ofEnvironmentFile: String(decoding: data, as: UTF8.self))
        }
    }
}
