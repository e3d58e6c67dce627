import ExeSystem
import Foundation

extension Leases {
    /// How often a running command's lease is touched: a quarter of its idle
    /// timeout, between 1 second and 5 minutes, so its expiry in the VM's
    /// tags stays ahead of any `lease gc`, on this machine or another.
    static func heartbeatInterval(idleTimeoutSeconds: Int) -> Duration {
        .seconds(min(300, max(1, idleTimeoutSeconds / 4)))
    }

    /// Touches `claim` every quarter of its idle timeout (1 s to 5 min)
    /// until the returned task is cancelled. A failed touch is reported and
    /// tried again at the next beat. `lease run` and `lease tunnel` keep
    /// one running while they use the lease.
    public func heartbeat(_ claim: LeaseClaim) -> Task<Void, Never> {
        let interval = Self.heartbeatInterval(idleTimeoutSeconds: claim.idleTimeoutSeconds)
        let clock = context.clock
        let progress = context.progress
        return Task {
            while !Task.isCancelled {
                do { try await clock.sleep(interval) } catch { return }
                if Task.isCancelled { return }
                do {
                    guard let current = try context.claims.load(claim.identity.id) else { return }
                    try await touch(current)
                } catch {
                    progress("lease \(claim.identity.id): heartbeat failed (\(error)); trying again in \(interval)")
                }
            }
        }
    }
}
