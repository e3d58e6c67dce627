/// Runs clean-up work (releasing a lock, removing a half-made VM,
/// restoring a compose file) in a task of its own, so it still runs when
/// the deploy was interrupted: the deploy's task is cancelled by then, and
/// SSH and control-plane calls made from a cancelled task give up at once
/// (flyctl releases its leases with a context that cannot be cancelled for
/// the same reason).
enum CleanupTask {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        await Task { await body() }.value
    }
}
