/// A held deploy lock; ``release()`` gives it back (only if this deploy
/// still holds it).
public protocol DeployLock: Sendable {
    /// What was recorded when it was taken.
    var details: DeployLockDetails { get }
    /// Releases the lock. Never throws: a lock that cannot be released
    /// shows up as held (and stale, in time) with the command that breaks it.
    func release() async
}

/// The error for a lock someone else holds, with the command that breaks it.
enum LockHeld {
    static func error(app: String, vm: String, holder: String, stale: Bool, unlockCommand: String) -> DeployError {
        let advice =
            stale
            ? "It looks stale (the deploy that took it probably died). If no deploy of \(app) is running, break it with: \(unlockCommand)"
            : "Wait for that deploy to finish, or, if it is dead, break the lock with: \(unlockCommand)"
        return DeployError(.lockHeld, "the deploy lock of \(app) on VM \(vm) is held by \(holder). \(advice)")
    }
}
