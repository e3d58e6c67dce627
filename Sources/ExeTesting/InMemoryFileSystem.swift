public import Foundation
import Synchronization

/// The files and directories of an ``InMemoryRemoteHost``: absolute paths
/// to contents and modes, shared between the host's file operations and
/// the scripted command handlers (which may read and change it to act like
/// `mkdir`, `cat >>` or `mv`).
public final class InMemoryFileSystem: Sendable {
    /// One regular file.
    public struct File: Sendable, Equatable {
        /// Its bytes.
        public var contents: Data
        /// Its permission bits.
        public var mode: UInt32
        /// Its modification time, seconds since 1970.
        public var modificationTime: UInt64

        /// A file with these contents.
        public init(contents: Data, mode: UInt32 = 0o644, modificationTime: UInt64 = 0) {
            self.contents = contents
            self.mode = mode
            self.modificationTime = modificationTime
        }

        /// The contents as UTF-8 text.
        public var text: String { String(decoding: contents, as: UTF8.self) }
    }

    private struct State {
        var files: [String: File] = [:]
        var directories: Set<String> = ["/"]
    }

    private let state = Mutex(State())

    /// An empty file system (only `/`).
    public init() {}

    /// `path` without a trailing slash, with `.` and empty components removed.
    public static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory containing `path`.
    public static func parent(of path: String) -> String {
        let normal = normalize(path)
        guard let slash = normal.lastIndex(of: "/"), slash != normal.startIndex else { return "/" }
        return String(normal[..<slash])
    }

    /// The file at `path`, if any.
    public func file(_ path: String) -> File? {
        state.withLock { $0.files[Self.normalize(path)] }
    }

    /// The contents of the file at `path` as text, if it exists.
    public func text(_ path: String) -> String? { file(path)?.text }

    /// Whether `path` is a directory.
    public func isDirectory(_ path: String) -> Bool {
        state.withLock { $0.directories.contains(Self.normalize(path)) }
    }

    /// Whether anything exists at `path`.
    public func exists(_ path: String) -> Bool {
        let normal = Self.normalize(path)
        return state.withLock { $0.files[normal] != nil || $0.directories.contains(normal) }
    }

    /// Every file path, sorted.
    public var filePaths: [String] { state.withLock { $0.files.keys.sorted() } }

    /// Writes `file` at `path`, creating its parent directories.
    public func write(_ path: String, _ file: File) {
        let normal = Self.normalize(path)
        state.withLock { state in
            Self.addDirectories(Self.parent(of: normal), to: &state)
            state.files[normal] = file
        }
    }

    /// Writes `text` at `path` with `mode`, creating its parent directories.
    public func write(_ path: String, text: String, mode: UInt32 = 0o644) {
        write(path, File(contents: Data(text.utf8), mode: mode))
    }

    /// Appends `data` to the file at `path` (created when missing).
    public func append(_ path: String, _ data: Data) {
        let normal = Self.normalize(path)
        state.withLock { state in
            Self.addDirectories(Self.parent(of: normal), to: &state)
            state.files[normal, default: File(contents: Data())].contents.append(data)
        }
    }

    /// Creates the directory `path` and its parents. Returns `false` when a
    /// file is in the way.
    @discardableResult
    public func makeDirectories(_ path: String) -> Bool {
        let normal = Self.normalize(path)
        return state.withLock { state in
            if state.files[normal] != nil { return false }
            Self.addDirectories(normal, to: &state)
            return true
        }
    }

    /// Creates the directory `path` only if nothing is there and its parent
    /// exists (`mkdir` without `-p`). Returns whether it was created.
    public func makeDirectory(_ path: String) -> Bool {
        let normal = Self.normalize(path)
        return state.withLock { state in
            guard state.files[normal] == nil, !state.directories.contains(normal),
                state.directories.contains(Self.parent(of: normal))
            else { return false }
            state.directories.insert(normal)
            return true
        }
    }

    /// Removes the file at `path`; returns whether there was one.
    @discardableResult
    public func removeFile(_ path: String) -> Bool {
        state.withLock { $0.files.removeValue(forKey: Self.normalize(path)) != nil }
    }

    /// Removes `path` and everything below it (`rm -rf`).
    public func removeTree(_ path: String) {
        let normal = Self.normalize(path)
        state.withLock { state in
            state.files = state.files.filter { $0.key != normal && !$0.key.hasPrefix(normal + "/") }
            state.directories = state.directories.filter { $0 == "/" || ($0 != normal && !$0.hasPrefix(normal + "/")) }
        }
    }

    /// Moves the file at `source` to `destination` (replacing it). Returns
    /// whether there was a file to move.
    @discardableResult
    public func moveFile(_ source: String, to destination: String) -> Bool {
        let from = Self.normalize(source)
        let to = Self.normalize(destination)
        return state.withLock { state in
            guard let file = state.files.removeValue(forKey: from) else { return false }
            state.files[to] = file
            return true
        }
    }

    private static func addDirectories(_ path: String, to state: inout State) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            state.directories.insert(prefix)
        }
    }
}
