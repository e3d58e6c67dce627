import ExeSystem
public import Foundation

/// A lease's identifiers: the id (`lease_` + 12 hex digits, random), a
/// human slug (`swift-crab`), and the VM name derived from both, which always
/// satisfies exe.dev's VM name rules (5–52 characters,
/// `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`, no trailing digits-only word).
public struct LeaseIdentity: Sendable, Hashable, Codable {
    /// `lease_` + 12 lowercase hex digits.
    public var id: String
    /// A short readable name, unique among the user's leases.
    public var slug: String

    /// Creates an identity.
    public init(id: String, slug: String) {
        self.id = id
        self.slug = slug
    }

    /// A new random lease id.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "lease_" + bytes.hexString
    }

    /// Whether `text` has the form of a lease id.
    public static func isID(_ text: String) -> Bool {
        guard text.hasPrefix("lease_"), text.count == 18 else { return false }
        return text.dropFirst(6).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    private static let adjectives = ["amber", "blue", "brisk", "coral", "crimson", "golden", "harbor", "jade", "pearl", "quick", "silver", "swift", "tidal", "violet", "calm", "bright"]
    private static let nouns = ["otter", "heron", "finch", "lynx", "marten", "wren", "badger", "falcon", "ibis", "koi", "puffin", "stoat"]

    /// The default slug for `id`: an adjective and a noun chosen by its hash.
    public static func defaultSlug(for id: String) -> String {
        let hash = fnv1a(id)
        return adjectives[Int(hash % UInt32(adjectives.count))] + "-" + nouns[Int((hash / 16) % UInt32(nouns.count))]
    }

    /// Lowercases `text`, keeps letters and digits, turns every other run of
    /// characters into one `-`, trims dashes, and caps it at 24 characters.
    /// A slug must start with a letter; `nil` when nothing usable is left.
    public static func normalizeSlug(_ text: String) -> String? {
        var out = ""
        var pendingDash = false
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        var slug = String(out.prefix(24))
        while slug.hasSuffix("-") { slug.removeLast() }
        guard let first = slug.unicodeScalars.first, ("a"..."z").contains(first) else { return nil }
        return slug
    }

    /// A slug not in `taken`: `preferred` itself, else `preferred-2`, `-3`, ...
    /// (suffixes spelled with letters, so the VM name never ends in digits).
    public static func uniqueSlug(_ preferred: String, taken: Set<String>) -> String {
        if !taken.contains(preferred) { return preferred }
        for attempt in 2..<1000 {
            let candidate = preferred + "-" + letters(UInt32(attempt), count: 3)
            if !taken.contains(candidate) { return candidate }
        }
        return preferred + "-" + letters(fnv1a(preferred + String(Date().timeIntervalSince1970)), count: 6)
    }

    /// The VM name: `exe-<slug>-<8 letters from the id's hash>`.
    public var vmName: String { "exe-" + slug + "-" + Self.letters(Self.fnv1a(id), count: 8) }

    /// FNV-1a, 32 bits.
    static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    /// `count` letters a–z spelling `value` (base 26).
    static func letters(_ value: UInt32, count: Int) -> String {
        var value = value
        var out = ""
        for _ in 0..<count {
            out.append(Character(Unicode.Scalar(UInt8(97 + value % 26))))
            value /= 26
        }
        return out
    }
}

/// The tags that mark a VM as a lease's, so any machine can recognise,
/// list and collect it.
public enum LeaseTags {
    /// Every lease VM carries this tag.
    public static let owner = "exe-lease"

    /// `exe-lease-id-<hex>`.
    public static func id(_ leaseID: String) -> String { "exe-lease-id-" + leaseID.dropFirst(6) }

    /// `exe-lease-slug-<slug>`.
    public static func slug(_ slug: String) -> String { "exe-lease-slug-" + slug }

    /// `exe-lease-expires-<unix seconds>`: when the lease may be collected.
    public static func expires(_ date: Date) -> String { "exe-lease-expires-\(Int64(date.timeIntervalSince1970))" }

    /// `exe-lease-keep`: never collected automatically.
    public static let keep = "exe-lease-keep"

    /// The lease id named by `tags`, if any.
    public static func leaseID(in tags: [String]) -> String? {
        tags.first { $0.hasPrefix("exe-lease-id-") }.map { "lease_" + $0.dropFirst("exe-lease-id-".count) }
    }

    /// The slug named by `tags`, if any.
    public static func slug(in tags: [String]) -> String? {
        tags.first { $0.hasPrefix("exe-lease-slug-") }.map { String($0.dropFirst("exe-lease-slug-".count)) }
    }

    /// The expiry named by `tags`, if any.
    public static func expiry(in tags: [String]) -> Date? {
        tags.first { $0.hasPrefix("exe-lease-expires-") }
            .flatMap { TimeInterval($0.dropFirst("exe-lease-expires-".count)) }
            .map { Date(timeIntervalSince1970: $0) }
    }
}
