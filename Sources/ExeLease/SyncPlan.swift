import ExeSystem
import Foundation

/// What one sync will do: which files travel, which are deleted on the VM,
/// and the manifest that describes the result.
struct SyncPlan: Sendable {
    /// Files to send. `digest` is known when it was computed to decide;
    /// otherwise it is computed while streaming.
    var uploads: [(file: WorkTreeFile, digest: String?)]
    /// Paths the previous sync put there that are gone locally.
    var deletions: [String]
    /// Entries that stay as they are.
    var unchanged: [SyncManifest.Entry]
    /// Unchanged files whose modification time moved (content identical):
    /// the manifest must still be rewritten.
    var touched = 0

    var uploadBytes: Int64 { uploads.reduce(0) { $0 + $1.file.size } }

    /// Compares the local files with the previous manifest.
    ///
    /// - Parameters:
    ///   - dirty: paths whose copy on the VM no longer matches the manifest
    ///     (changed or removed there since the last sync): sent again.
    ///   - checksum: compare content for every file instead of trusting an
    ///     unchanged size and modification time.
    ///   - digest: computes a file's SHA-256.
    static func make(
        local: [WorkTreeFile], previous: SyncManifest?, dirty: Set<String>, checksum: Bool,
        digest: (WorkTreeFile) throws -> String
    ) throws -> SyncPlan {
        var uploads: [(WorkTreeFile, String?)] = []
        var unchanged: [SyncManifest.Entry] = []
        var touched = 0
        var seen = Set<String>()
        for file in local {
            seen.insert(file.path)
            guard let old = previous?[file.path], !dirty.contains(file.path), old.kind == file.kind, old.mode == file.mode else {
                uploads.append((file, nil))
                continue
            }
            if !checksum, old.size == file.size, old.modificationTime == file.modificationTime {
                unchanged.append(old)
                continue
            }
            if old.size != file.size && !checksum {
                uploads.append((file, nil))
                continue
            }
            let hash = try digest(file)
            if hash == old.digest {
                var entry = old
                entry.modificationTime = file.modificationTime
                unchanged.append(entry)
                touched += 1
            } else {
                uploads.append((file, hash))
            }
        }
        let deletions = (previous?.paths ?? []).filter { !seen.contains($0) }
        return SyncPlan(uploads: uploads, deletions: deletions, unchanged: unchanged, touched: touched)
    }
}

/// Computes SHA-256 digests of work tree files.
enum FileDigest {
    static func compute(root: String, file: WorkTreeFile) throws -> String {
        let path = root + "/" + file.path
        if file.kind == .symlink {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
            return SHA256Hasher.hexDigest(Data(target.utf8))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LeaseError(.localFiles, "cannot read \(path)")
        }
        defer { try? handle.close() }
        let hasher = SHA256Hasher()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finalize().hexString
    }
}
