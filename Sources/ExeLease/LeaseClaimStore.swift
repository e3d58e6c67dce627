public import Foundation
import ExeSystem

/// Lease claims on disk: one JSON file per lease under
/// `$XDG_STATE_HOME/exe/leases` (`~/.local/state/exe/leases`), written
/// atomically with mode 0600, each under its own file lock, with a revision
/// check so two processes cannot both act on the same old state.
public struct LeaseClaimStore: Sendable {
    /// The directory holding the claims.
    public let directory: String

    /// A store in `directory`.
    public init(directory: String) { self.directory = directory }

    /// The default store: `$XDG_STATE_HOME/exe/leases`, else `~/.local/state/exe/leases`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> LeaseClaimStore {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return LeaseClaimStore(directory: state + "/exe/leases")
    }

    private func path(_ id: String) -> String { directory + "/" + id + ".json" }
    private func lockPath(_ id: String) -> String { directory + "/." + id + ".lock" }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// The claim of lease `id`, or `nil`.
    public func load(_ id: String) throws -> LeaseClaim? {
        guard let data = FileManager.default.contents(atPath: path(id)) else { return nil }
        do {
            return try Self.decoder.decode(LeaseClaim.self, from: data)
        } catch {
            throw LeaseError(.claim, "the claim file \(path(id)) is unreadable: \(error)")
        }
    }

    /// Every readable claim, and the files that could not be read.
    public func all() -> (claims: [LeaseClaim], problems: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var claims: [LeaseClaim] = []
        var problems: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            if let data = FileManager.default.contents(atPath: directory + "/" + name),
                let claim = try? Self.decoder.decode(LeaseClaim.self, from: data)
            {
                claims.append(claim)
            } else {
                problems.append(directory + "/" + name)
            }
        }
        return (claims, problems)
    }

    /// Writes a new claim; fails if one exists for the id.
    @discardableResult
    public func create(_ claim: LeaseClaim) throws -> LeaseClaim {
        try FileLock.withLock(path: lockPath(claim.identity.id)) {
            if FileManager.default.fileExists(atPath: path(claim.identity.id)) {
                throw LeaseError(.claim, "lease \(claim.identity.id) already has a claim")
            }
            return try write(claim)
        }
    }

    /// Reads the claim, applies `change`, and writes it back, all under the
    /// claim's lock. Fails if the claim's revision is no longer
    /// `expectedRevision` (when given): someone else changed it meanwhile.
    @discardableResult
    public func update(_ id: String, expectedRevision: String? = nil, _ change: (inout LeaseClaim) throws -> Void) throws -> LeaseClaim {
        try FileLock.withLock(path: lockPath(id)) {
            guard var claim = try load(id) else { throw LeaseError(.notFound, "lease \(id) has no claim on this machine") }
            if let expectedRevision, claim.revision != expectedRevision {
                throw LeaseError(.claim, "lease \(id) changed while this command ran; try again")
            }
            try change(&claim)
            return try write(claim)
        }
    }

    /// Removes the claim (under its lock); a missing claim is fine.
    public func remove(_ id: String) throws {
        try FileLock.withLock(path: lockPath(id)) {
            try? FileManager.default.removeItem(atPath: path(id))
        }
        try? FileManager.default.removeItem(atPath: lockPath(id))
    }

    /// Runs `body` while holding lease `id`'s lock (for multi-step changes).
    public func withLock<T>(_ id: String, _ body: () throws -> T) throws -> T {
        try FileLock.withLock(path: lockPath(id), body)
    }

    private func write(_ claim: LeaseClaim) throws -> LeaseClaim {
        var claim = claim
        var generator = SystemRandomNumberGenerator()
        claim.revision = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try AtomicFile.write(Self.encoder.encode(claim) + Data("\n".utf8), to: path(claim.identity.id), mode: 0o600)
        return claim
    }
}
