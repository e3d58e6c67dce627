import ExeSystem
import Foundation

/// What this machine remembers of the leases it stopped, so a second
/// `lease stop` by slug or VM name still recognises the lease and answers
/// `already-gone` instead of "not found". One small JSON file per lease in
/// `<claims>/stopped/`, kept for a week.
struct LeaseTombstones: Sendable {
    struct Record: Codable, Equatable {
        var leaseID: String
        var slug: String
        var vmName: String
        var stoppedAt: Date
    }

    let directory: String
    /// How long a record is kept.
    static let retention: TimeInterval = 7 * 24 * 3600

    init(claims: LeaseClaimStore) { directory = claims.directory + "/stopped" }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Remembers `claim` as stopped now, and forgets records past the retention.
    func record(_ claim: LeaseClaim, now: Date) {
        let record = Record(leaseID: claim.identity.id, slug: claim.identity.slug, vmName: claim.vmName, stoppedAt: now)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let data = try? Self.encoder.encode(record) {
            try? AtomicFile.write(data, to: directory + "/" + claim.identity.id + ".json", mode: 0o600)
        }
        for old in all() where old.stoppedAt.addingTimeInterval(Self.retention) < now {
            try? FileManager.default.removeItem(atPath: directory + "/" + old.leaseID + ".json")
        }
    }

    /// The record whose lease id, slug or VM name is `key` (the newest, when several).
    func find(_ key: String) -> Record? {
        all().filter { $0.leaseID == key || $0.slug == key || $0.vmName == key }.max { $0.stoppedAt < $1.stoppedAt }
    }

    private func all() -> [Record] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).flatMap { try? Self.decoder.decode(Record.self, from: $0) }
        }
    }
}
