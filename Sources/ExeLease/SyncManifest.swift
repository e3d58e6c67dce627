public import Foundation
import ExeSystem

/// What a sync put on the VM: for each file its kind, mode, size,
/// modification time and SHA-256. Kept on the VM (and cached locally by its
/// digest) so the next sync sends only what changed and deletes only what
/// it synced before.
public struct SyncManifest: Sendable, Equatable {
    /// One synced file.
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var kind: WorkTreeFile.Kind
        public var mode: UInt32
        public var size: Int64
        public var modificationTime: Int64
        /// Lowercase hexadecimal SHA-256 of the content (of the link target for symlinks).
        public var digest: String
    }

    /// Entries by path.
    public private(set) var entries: [String: Entry] = [:]

    /// Creates a manifest from entries.
    public init(_ entries: [Entry] = []) {
        for entry in entries { self.entries[entry.path] = entry }
    }

    /// The entry for `path`.
    public subscript(path: String) -> Entry? { entries[path] }

    /// The paths, sorted.
    public var paths: [String] { entries.keys.sorted() }

    private static let header = "exe-sync-manifest 1\n"

    /// The on-disk form: a header line, then one NUL-terminated record per
    /// file: `kind mode size mtime digest path`.
    public func encoded() -> Data {
        var data = Data(Self.header.utf8)
        for path in paths {
            let entry = entries[path]!
            let kind = entry.kind == .symlink ? "l" : "f"
            data.append(contentsOf: "\(kind) \(String(entry.mode, radix: 8)) \(entry.size) \(entry.modificationTime) \(entry.digest) \(path)".utf8)
            data.append(0)
        }
        return data
    }

    /// The SHA-256 of ``encoded()``: the manifest's identity.
    public var digest: String { SHA256Hasher.hexDigest(encoded()) }

    /// Parses ``encoded()`` output.
    public static func decode(_ data: Data) throws -> SyncManifest {
        guard data.starts(with: Data(header.utf8)) else { throw SyncError(.remoteState, "the manifest on the VM is not an exe sync manifest") }
        var entries: [Entry] = []
        for record in data.dropFirst(header.utf8.count).split(separator: 0) {
            let text = String(decoding: record, as: UTF8.self)
            let fields = text.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count == 6, let mode = UInt32(fields[1], radix: 8), let size = Int64(fields[2]),
                let mtime = Int64(fields[3])
            else { throw SyncError(.remoteState, "the manifest on the VM has a malformed record") }
            entries.append(Entry(path: String(fields[5]), kind: fields[0] == "l" ? .symlink : .regular, mode: mode, size: size, modificationTime: mtime, digest: String(fields[4])))
        }
        return SyncManifest(entries)
    }
}
