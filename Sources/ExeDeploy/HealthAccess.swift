import ExeControl
import ExeSystem

/// How the health check gets through the proxy of a private VM: a
/// short-lived VM-scoped token (`ssh-key generate-api-key --vm`) sent as
/// `X-Exedev-Authorization: Bearer ...`, revoked when the check is over.
/// Public VMs need nothing.
struct HealthAccess: Sendable {
    /// The headers to send.
    let headers: [String: Secret]
    /// The key to revoke afterwards.
    let label: String?

    static let none = HealthAccess(headers: [:], label: nil)

    /// Access to `vm`; a token only when it is private. A failure to mint
    /// one is a warning (the check then sees the proxy's login redirect).
    static func grant(vm: String, isPublic: Bool, control: ControlClient, redactor: inout SecretRedactor, warn: (String) -> Void) async -> HealthAccess {
        guard !isPublic else { return .none }
        let label = "exe-deploy-health-" + DeployLockDetails.newID().prefix(8)
        do {
            let key = try await control.sshKeys.generateAPIKey(APIKeyOptions(label: label, vm: vm, expiry: "1d"))
            redactor.add(key.token)
            return HealthAccess(headers: ["X-Exedev-Authorization": Secret("Bearer " + key.token.reveal())], label: key.label.isEmpty ? label : key.label)
        } catch {
            warn("no VM-scoped token for the health check of the private VM \(vm): \(error.message)")
            return .none
        }
    }

    /// Revokes the token, if one was made.
    func revoke(control: ControlClient) async {
        guard let label else { return }
        _ = try? await control.sshKeys.remove(label)
    }
}
