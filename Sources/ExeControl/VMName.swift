/// A valid name for a new VM (reference §6): 5–52 characters, a lowercase
/// letter first, then lowercase letters or digits with single hyphens, and
/// not a reserved name.
///
/// Names of existing VMs are passed as plain strings (older VMs may predate
/// today's rules); names the client is about to *create* (`new --name`,
/// `rename`'s new name, `cp`'s new name) are checked with this type first, so
/// the error arrives before a round trip, in the server's words.
public struct VMName: Sendable, Hashable, CustomStringConvertible {
    /// The name.
    public let rawValue: String

    /// The server's message for a malformed name.
    public static let invalidMessage =
        "invalid VM name, must be 5-52 characters: start with a lowercase letter, then lowercase letters or digits, with optional single hyphen separators (e.g., a-vm-name)"
    /// The server's message for a reserved name.
    public static let notAvailableMessage = "invalid VM name: this VM name is not available"

    /// Validates `name`.
    ///
    /// - Throws: ``ControlError`` with kind ``ControlError/Kind/invalidArgument``
    ///   or ``ControlError/Kind/nameNotAvailable`` and the server's message.
    public init(_ name: String) throws(ControlError) {
        if let (kind, message) = Self.problem(with: name) {
            throw ControlError(kind, message)
        }
        rawValue = name
    }

    public var description: String { rawValue }

    /// Whether `name` has the shape of a VM name (length and pattern).
    public static func isWellFormed(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (5...52).contains(bytes.count), let first = bytes.first, isLower(first), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        var previousHyphen = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                if previousHyphen { return false }
                previousHyphen = true
            } else if isLower(byte) || isDigit(byte) {
                previousHyphen = false
            } else {
                return false
            }
        }
        return true
    }

    /// Whether the server would refuse `name` as reserved. The server's list
    /// has several hundred entries; this is the part of it the reference
    /// names, plus its patterns. The server stays authoritative.
    public static func isReserved(_ name: String) -> Bool {
        if reservedNames.contains(name) || reservedFragments.contains(where: name.contains) { return true }
        if matchesPortPattern(name) { return true }
        if name.hasPrefix("na"), name.count > 2, name.dropFirst(2).allSatisfy(\.isASCIIDigit) { return true }
        return false
    }

    static func problem(with name: String) -> (ControlError.Kind, String)? {
        if !isWellFormed(name) { return (.invalidArgument, invalidMessage) }
        if isReserved(name) { return (.nameNotAvailable, notAvailableMessage) }
        return nil
    }

    /// `^(p|port)[0-9]*$` or `-(p|port)[0-9]+$`.
    private static func matchesPortPattern(_ name: String) -> Bool {
        for prefix in ["port", "p"] where name.hasPrefix(prefix) {
            if name.dropFirst(prefix.count).allSatisfy(\.isASCIIDigit) { return true }
        }
        guard let dash = name.lastIndex(of: "-") else { return false }
        let tail = name[name.index(after: dash)...]
        for prefix in ["port", "p"] where tail.hasPrefix(prefix) {
            let digits = tail.dropFirst(prefix.count)
            if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) { return true }
        }
        return false
    }

    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static let reservedNames: Set<String> = [
        "admin", "proxy", "shelley", "docker", "mail", "team", "team-int", "my-vm", "hello-world", "exedev",
        "teams", "whoami", "config", "server", "client", "terminal", "console", "dashboard", "settings", "login",
        "hello", "world", "example", "sample", "foobar", "jobs", "career", "careers", "apply", "hiring",
        "position", "positions", "opening", "openings", "roles",
    ]
    private static let reservedFragments = ["exelet"]
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
