import ExeSSH
import Foundation

/// `/data/.env.production` and `/data/.env.production.prev` around one
/// compose update, so the env file moves with the compose file: a deploy
/// keeps the env file it replaces (or, without `--env-file`, a copy of the
/// unchanged one) as `.prev`; a rollback puts `.prev` back; a failed update
/// restores both files exactly as they were. Both are written with mode
/// 0600 over SFTP (the values never reach an argv).
///
/// A file that exists but cannot be read is left alone (with a warning):
/// without its contents it could be neither kept nor restored.
struct EnvironmentFileVersions: Sendable {
    /// The live env file before the update (`nil`: there was none).
    let current: Data?
    /// Its `.prev` before the update (`nil`: there was none).
    let previous: Data?
    /// Whether both files could be read (or are absent).
    let readable: Bool

    static let path = RemoteDeployPaths.environmentFile
    static let previousPath = RemoteDeployPaths.previousEnvironmentFile

    /// Reads both files.
    static func capture(_ connection: any RemoteHost) async throws -> EnvironmentFileVersions {
        var readable = true
        func read(_ path: String) async throws -> Data? {
            guard try await connection.attributes(of: path) != nil else { return nil }
            do {
                return try await connection.download(path, timeout: .seconds(30))
            } catch {
                readable = false
                return nil
            }
        }
        let current = try await read(path)
        let previous = try await read(previousPath)
        return EnvironmentFileVersions(current: current, previous: previous, readable: readable)
    }

    /// Makes `replacement` the env file (`nil`: keep the live one) and the
    /// file live before it `.prev`.
    ///
    /// - Returns: what was done, for the progress notes (`nil`: nothing).
    func install(_ replacement: Data?, connection: any RemoteHost) async throws -> String? {
        guard readable else {
            if let replacement {
                try await connection.replaceAtomically(Self.path, with: replacement, mode: 0o600)
                return "uploaded \(Self.path) (mode 0600); the previous one could not be read, so it is not kept as \(Self.previousPath)"
            }
            return nil
        }
        if let current {
            try await connection.replaceAtomically(Self.previousPath, with: current, mode: 0o600)
        } else if previous != nil {
            try await connection.removeFile(Self.previousPath)
        }
        guard let replacement else { return nil }
        try await connection.replaceAtomically(Self.path, with: replacement, mode: 0o600)
        return "uploaded \(Self.path) (mode 0600)" + (current == nil ? "" : "; the previous one is \(Self.previousPath)")
    }

    /// Puts both files back as ``capture(_:)`` found them. `replaced`:
    /// whether ``install(_:connection:)`` was given a new env file (only
    /// then is the live file rewritten or, if there was none, removed).
    func restore(replaced: Bool, connection: any RemoteHost) async throws {
        guard readable else { return }
        if replaced {
            if let current {
                try await connection.replaceAtomically(Self.path, with: current, mode: 0o600)
            } else {
                try await connection.removeFile(Self.path)
            }
        }
        if let previous {
            try await connection.replaceAtomically(Self.previousPath, with: previous, mode: 0o600)
        } else {
            try await connection.removeFile(Self.previousPath)
        }
    }
}
