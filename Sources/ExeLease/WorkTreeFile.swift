import CoreFoundation
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One file of the local work tree, as a sync sees it.
public struct WorkTreeFile: Sendable, Hashable {
    /// The kind of entry.
    public enum Kind: Sendable, Hashable {
        /// A regular file.
        case regular
        /// A symbolic link (its target is synced, not followed).
        case symlink
    }

    /// Path relative to the root, `/`-separated.
    public var path: String
    /// A regular file or a symlink.
    public var kind: Kind
    /// Size in bytes (for a symlink, the length of its target).
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var modificationTime: Int64
    /// Permission bits.
    public var mode: UInt32
    /// Whether git tracks the file.
    public var tracked: Bool

    /// Whether anything (of any type) is at `path`.
    static func exists(root: String, path: String) -> Bool {
        var info = Glibc.stat()
        return lstat(root + "/" + path, &info) == 0
    }

    /// Reads the file's metadata with `lstat`; `nil` when it vanished or is
    /// neither a regular file nor a symlink.
    static func stat(root: String, path: String, tracked: Bool) -> WorkTreeFile? {
        var info = Glibc.stat()
        guard lstat(root + "/" + path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let kind: Kind
        if type == S_IFREG { kind = .regular } else if type == S_IFLNK { kind = .symlink } else { return nil }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return WorkTreeFile(path: path, kind: kind, size: Int64(info.st_size), modificationTime: mtime, mode: UInt32(info.st_mode & 0o7777), tracked: tracked)
    }
}
