import ExeSSH
import ExeSystem
import Foundation

/// An app's audit log on a VM, read and appended over SSH.
enum AuditLog {
    /// How many lines a log keeps when it is copied to a new VM.
    static let keptLines = 500

    /// The whole log (empty when there is none).
    static func read(app: String, connection: any RemoteHost) async throws -> Data {
        let path = RemoteDeployPaths(app: app).auditLog
        guard try await connection.attributes(of: path) != nil else { return Data() }
        return try await connection.download(path, timeout: .seconds(60))
    }

    /// Appends `record` (one line, in one `write`).
    static func append(_ record: DeployAuditRecord, app: String, connection: any RemoteHost) async throws {
        let paths = RemoteDeployPaths(app: app)
        try await connection.run(
            ShellCommand("mkdir", "-p", paths.stateDirectory).and(ShellCommand("cat").appendingOutput(to: paths.auditLog)),
            stdin: .data(try record.line()), timeout: .seconds(60), check: true)
    }

    /// Writes `history` (the old VM's log, trimmed) and then `record` to a
    /// new VM's log.
    static func carry(_ history: Data, plus record: DeployAuditRecord, app: String, connection: any RemoteHost) async throws {
        let paths = RemoteDeployPaths(app: app)
        var lines = history.split(separator: UInt8(ascii: "\n")).suffix(keptLines - 1).map { Data($0) + Data("\n".utf8) }
        lines.append(try record.line())
        try await connection.createDirectory(paths.stateDirectory)
        try await connection.replaceAtomically(paths.auditLog, with: lines.reduce(Data(), +))
    }
}
