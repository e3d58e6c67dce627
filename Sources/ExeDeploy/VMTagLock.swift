import ExeControl
import Foundation

/// Pattern A's lock, on the control plane: the tag `exe-deploy-lock` on the
/// live VM. Adding a tag the VM already has is refused by the server
/// (`tag "x" already exists on vm`), which makes the tag a mutex that needs
/// nothing inside the VM (whose image may have no shell). A second tag,
/// `exe-deploy-lock-<unix time>-<holder>__<host>`, records who took it,
/// from where and when (``LockTagText``: tags allow only `[a-z0-9_-]`).
///
/// The lock lives as long as the VM it marks: blue-green removes the old
/// VM (and its tags) when the new one takes over, and the new VM never
/// gets the lock tags.
struct VMTagLock: DeployLock {
    static let lockTag = "exe-deploy-lock"
    static let detailsPrefix = "exe-deploy-lock-"

    let details: DeployLockDetails
    let control: ControlClient
    let vm: String

    /// Takes the lock on `vm`, or throws ``DeployError/Kind/lockHeld``.
    static func acquire(
        _ details: DeployLockDetails, control: ControlClient, vm: String, now: Date, staleAfter: Duration, unlockCommand: String
    ) async throws -> VMTagLock {
        let refusal: ControlError?
        do {
            try await control.tag(vm, [lockTag])
            refusal = nil
        } catch {
            refusal = error
        }
        if let refusal {
            guard refusal.kind == .conflict else { throw refusal }
            let tags = (try? await control.vm(named: vm))??.tags ?? []
            let holder = holder(app: details.app, tags: tags)
            throw LockHeld.error(
                app: details.app, vm: vm, holder: holder?.summary(at: now) ?? "an unknown deploy (no details tag)",
                stale: holder?.isStale(at: now, after: staleAfter) ?? true, unlockCommand: unlockCommand)
        }
        let lock = VMTagLock(details: details, control: control, vm: vm)
        do {
            try await control.tag(vm, [detailsTag(details)])
        } catch {
            await lock.release()
            throw error
        }
        return lock
    }

    /// `exe-deploy-lock-<unix time>-<holder>__<host>`, holder and host in
    /// ``LockTagText`` (`exe-deploy-lock-1763825400-alice_40laptop__laptop`).
    static func detailsTag(_ details: DeployLockDetails) -> String {
        detailsPrefix + String(Int(details.acquiredAt.timeIntervalSince1970)) + "-" + LockTagText.encode(details.holder)
            + LockTagText.separator + LockTagText.encode(details.host)
    }

    /// The lock's details from a VM's tags; `nil` when it is not locked.
    /// A details tag without a host (`exe-deploy-lock-<time>-<holder>`, as
    /// earlier versions wrote it) gives host `unknown`.
    static func holder(app: String, tags: [String]) -> DeployLockDetails? {
        guard tags.contains(lockTag) else { return nil }
        for tag in tags where tag.hasPrefix(detailsPrefix) {
            let rest = tag.dropFirst(detailsPrefix.count)
            let parts = rest.split(separator: "-", maxSplits: 1)
            guard let first = parts.first, let seconds = TimeInterval(first) else { continue }
            var holder = "unknown"
            var host = "unknown"
            if parts.count > 1 {
                let fields = parts[1].components(separatedBy: LockTagText.separator)
                if fields.count == 2, let name = LockTagText.decode(fields[0]), let machine = LockTagText.decode(fields[1]) {
                    holder = name.isEmpty ? holder : name
                    host = machine.isEmpty ? host : machine
                } else {
                    holder = String(parts[1])
                }
            }
            return DeployLockDetails(
                id: "", app: app, holder: holder, host: host, action: "deploy", acquiredAt: Date(timeIntervalSince1970: seconds))
        }
        return DeployLockDetails(id: "", app: app, holder: "unknown", host: "unknown", action: "deploy", acquiredAt: .distantPast)
    }

    /// Whether `tag` is one of the deploy's own (never carried over to a new VM).
    static func isDeployTag(_ tag: String) -> Bool {
        tag == lockTag || tag.hasPrefix(detailsPrefix) || KeptRelease.isKeptTag(tag) || CandidateVM.isCandidateTag(tag)
    }

    func release() async {
        _ = try? await control.untag(vm, [Self.lockTag, Self.detailsTag(details)])
    }

    /// Removes every lock tag from `vm` (`exe-cli deploy unlock`).
    static func breakLock(vm: String, control: ControlClient) async throws {
        guard let current = try await control.vm(named: vm) else { return }
        let tags = current.tags.filter { $0 == lockTag || $0.hasPrefix(detailsPrefix) }
        if !tags.isEmpty { try await control.untag(vm, tags) }
    }
}
