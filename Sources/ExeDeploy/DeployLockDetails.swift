public import Foundation

/// Who holds an app's deploy lock, from where, since when, and for what.
/// Stored as JSON in the lock directory on the VM (Pattern B), or as the
/// details tag beside the lock tag (Pattern A).
public struct DeployLockDetails: Sendable, Codable, Equatable {
    /// A random id of the deploy holding it (only the holder releases it).
    public var id: String
    /// The app.
    public var app: String
    /// Who deploys (`alice@laptop`, `github:alice`).
    public var holder: String
    /// The machine the deploy runs on.
    public var host: String
    /// `deploy` or `rollback`.
    public var action: String
    /// When the lock was taken.
    public var acquiredAt: Date

    /// Creates details.
    public init(id: String = DeployLockDetails.newID(), app: String, holder: String, host: String, action: String, acquiredAt: Date) {
        self.id = id
        self.app = app
        self.holder = holder
        self.host = host
        self.action = action
        self.acquiredAt = acquiredAt
    }

    /// A fresh random id (16 hex digits).
    public static func newID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16)
    }

    /// Whether the lock is older than `limit` at `now`.
    public func isStale(at now: Date, after limit: Duration) -> Bool {
        now.timeIntervalSince(acquiredAt) > Double(limit.components.seconds)
    }

    /// `alice@laptop (on laptop) since 2026-11-22T15:30:00Z, 3m ago, for a deploy`.
    ///
    /// A time that cannot be the lock's (unknown, before 2020, or more than
    /// a day ahead of `now`) is said to be unknown rather than shown as an
    /// absurd age.
    public func summary(at now: Date) -> String {
        let earliest = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01
        guard acquiredAt >= earliest, acquiredAt.timeIntervalSince(now) < 86_400 else {
            return "\(holder) (on \(host)) since an unknown time, for a \(action)"
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return "\(holder) (on \(host)) since \(formatter.string(from: acquiredAt)), \(Self.age(now.timeIntervalSince(acquiredAt))) ago, for a \(action)"
    }

    /// `42s`, `5m`, `3h`, `2d 4h`.
    static func age(_ interval: TimeInterval) -> String {
        let age = max(0, Int(interval))
        if age < 120 { return "\(age)s" }
        if age < 7200 { return "\(age / 60)m" }
        if age < 172_800 { return "\(age / 3600)h" }
        let hours = (age % 86_400) / 3600
        return "\(age / 86_400)d" + (hours > 0 ? " \(hours)h" : "")
    }

    /// The JSON stored on the VM: one compact line, keys sorted.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Reads what ``encoded()`` wrote; `nil` for anything else.
    public static func decode(_ data: Data) -> DeployLockDetails? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(DeployLockDetails.self, from: data)
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
