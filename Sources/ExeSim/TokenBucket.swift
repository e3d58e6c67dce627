import ExeSystem
import Foundation

/// The `/exec` rate limit: per key, a burst of 60 requests refilled at one
/// per second.
final class TokenBucket: @unchecked Sendable {
    private let capacity: Double
    private let refillPerSecond: Double
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, updated: ContinuousClock.Instant)] = [:]

    init(capacity: Double = 60, refillPerSecond: Double = 1) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
    }

    /// Takes one token for `key`; `false` when none is left.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        var bucket = buckets[key] ?? (capacity, now)
        let elapsed = bucket.updated.duration(to: now)
        let seconds = elapsed.inSeconds
        bucket.tokens = min(capacity, bucket.tokens + seconds * refillPerSecond)
        bucket.updated = now
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        buckets[key] = bucket
        return allowed
    }
}
