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

    /// Runs `check` against `base` (the VM's `https_url`) the one way every
    /// health check goes: a private VM (or one whose visibility cannot be
    /// read, `isPublic == nil` and `share show` failing) gets a VM-scoped
    /// token for the duration of the check, revoked afterwards in a task of
    /// its own (also when the check fails or is cancelled).
    ///
    /// - Parameters:
    ///   - isPublic: whether the VM is public; `nil` asks `share show`.
    ///   - redactor: learns the token.
    ///   - warn: receives the warning when no token could be made.
    ///   - note: told when the check uses a token.
    static func wait(
        _ check: HealthCheck, base: String, vm: String, isPublic: Bool?, context: DeployContext, redactor: inout SecretRedactor,
        warn: (String) -> Void, note: (String) -> Void = { _ in }, failFast: @Sendable () async -> String? = { nil }
    ) async throws -> HealthCheck.Observation {
        let control = context.control
        let visible: Bool
        if let isPublic {
            visible = isPublic
        } else {
            visible = (try? await control.share.show(vm).visibility) == .public
        }
        let access = await grant(vm: vm, isPublic: visible, control: control, redactor: &redactor, warn: warn)
        if let label = access.label { note("\(vm) is private: the health check uses the VM-scoped token \(label), revoked afterwards") }
        do {
            let observation = try await check.wait(
                base: base, headers: access.headers, probe: context.httpProbe, clock: context.clock, failFast: failFast)
            await CleanupTask.run { await access.revoke(control: control) }
            return observation
        } catch {
            await CleanupTask.run { await access.revoke(control: control) }
            throw error
        }
    }

    /// Revokes the token, if one was made.
    func revoke(control: ControlClient) async {
        guard let label else { return }
        _ = try? await control.sshKeys.remove(label)
    }
}
