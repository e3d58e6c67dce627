public import Foundation

/// One line of an app's audit log on its VM
/// (`/data/.exe-deploy/<app>/audit.jsonl`): who deployed what, when, and how
/// it ended. Rollback reads the log to find the previous image.
public struct DeployAuditRecord: Sendable, Codable, Equatable {
    /// When the deploy ended.
    public var time: Date
    /// `deploy` or `rollback`.
    public var action: String
    /// Who deployed.
    public var actor: String
    /// From which machine.
    public var host: String
    /// The app.
    public var app: String
    /// The VM it went to (blue-green: the VM's final name).
    public var vm: String
    /// The image deployed.
    public var image: String?
    /// Its digest, when known.
    public var digest: String?
    /// The image live before.
    public var previousImage: String?
    /// `deployed`, `restored` or `failed`.
    public var result: String
    /// The error, when it failed.
    public var detail: String?

    /// Creates a record.
    public init(
        time: Date, action: String, actor: String, host: String, app: String, vm: String, image: String?, digest: String?,
        previousImage: String?, result: String, detail: String? = nil
    ) {
        self.time = time
        self.action = action
        self.actor = actor
        self.host = host
        self.app = app
        self.vm = vm
        self.image = image
        self.digest = digest
        self.previousImage = previousImage
        self.result = result
        self.detail = detail
    }

    /// The record as one JSON line (keys sorted, newline-terminated).
    public func line() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Every record in `log`, skipping lines that are not records.
    public static func parse(_ log: Data) -> [DeployAuditRecord] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return log.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(DeployAuditRecord.self, from: Data($0)) }
    }

    /// The image to roll back to: the last successfully deployed image
    /// before the one live now (`current`).
    public static func rollbackTarget(in records: [DeployAuditRecord], current: String?) -> DeployAuditRecord? {
        let successes = records.filter { $0.result == "deployed" && $0.image != nil }
        guard let live = current ?? successes.last?.image else { return nil }
        return successes.reversed().first { $0.image != live }
    }
}
