public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files so that readers see either the old content or the new
/// content, never a mix: write a temporary file in the same directory,
/// `fsync` it, `rename` it over the target, then `fsync` the directory.
public enum AtomicFile {
    /// Replaces the file at `path` with `data`, creating parent directories.
    ///
    /// - Parameters:
    ///   - data: the new content.
    ///   - path: the file to replace.
    ///   - mode: the permission bits of the new file (for example `0o600`
    ///     for claims and secrets).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let parent = directory.isEmpty ? "." : directory
        try FileManager.default.createDirectory(
            atPath: parent, withIntermediateDirectories: true, attributes: nil)
        let name = (path as NSString).lastPathComponent
        let temporary = "\(parent)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(fd, mode) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw AtomicFileError(path: path, reason: failure)
        }
        let directoryFD = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}

/// A file could not be written atomically.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    /// The file that was being written.
    public let path: String
    /// What went wrong.
    public let reason: String

    public var description: String { "cannot write \(path): \(reason)" }
}
