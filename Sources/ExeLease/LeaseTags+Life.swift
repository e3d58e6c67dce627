public import Foundation

/// The tags of pause, resume and renewal, so `lease gc` on any machine
/// knows when a lease's TTL ends and since when it has been paused.
extension LeaseTags {
    /// `exe-lease-ttl-<unix seconds>`: when the lease's TTL ends (moved by a reuse).
    public static func ttl(_ date: Date) -> String { "exe-lease-ttl-\(Int64(date.timeIntervalSince1970))" }

    /// `exe-lease-paused-<unix seconds>`: when the lease was paused.
    public static func paused(_ date: Date) -> String { "exe-lease-paused-\(Int64(date.timeIntervalSince1970))" }

    /// The TTL end named by `tags`, if any.
    public static func ttlEnd(in tags: [String]) -> Date? { date(prefix: "exe-lease-ttl-", in: tags) }

    /// When `tags` say the lease was paused, if they do.
    public static func pausedAt(in tags: [String]) -> Date? { date(prefix: "exe-lease-paused-", in: tags) }

    /// The tags with one of these prefixes (to replace them).
    static func tags(withPrefixes prefixes: [String], in tags: [String]) -> [String] {
        tags.filter { tag in prefixes.contains { tag.hasPrefix($0) } }
    }

    private static func date(prefix: String, in tags: [String]) -> Date? {
        tags.first { $0.hasPrefix(prefix) }
            .flatMap { TimeInterval($0.dropFirst(prefix.count)) }
            .map { Date(timeIntervalSince1970: $0) }
    }
}
