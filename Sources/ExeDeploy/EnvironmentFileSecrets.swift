import ExeSSH
import Foundation

/// The values in the VM's `/data/.env.production`, learnt before anything
/// from the VM is printed: an app that logs its environment must not put
/// them into `deploy logs`, `deploy status` or a failed deploy's output.
enum EnvironmentFileSecrets {
    static func learn(from connection: SSHConnection, into redactor: inout SecretRedactor) async {
        guard (try? await connection.attributes(of: RemoteDeployPaths.environmentFile)) != nil,
            let data = try? await connection.download(RemoteDeployPaths.environmentFile, timeout: .seconds(30))
        else { return }
        redactor.addValues(ofEnvironmentFile: String(decoding: data, as: UTF8.self))
    }
}
