import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive advisory lock on a file (`flock(2)`), shared by every
/// process that locks the same path.
///
/// The lock is released when the value is released or ``unlock()`` is
/// called, and by the kernel if the process dies, so a crash never leaves a
/// stale lock behind.
public final class FileLock: @unchecked Sendable {
    /// The locked file.
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { unlock() }

    /// Takes the lock on `path`, creating the file (and its directory) if
    /// needed, waiting at most `timeout`.
    ///
    /// - Throws: ``FileLockError`` when the file cannot be opened or the lock
    ///   is still held by someone else when the timeout passes.
    public static func acquire(path: String, timeout: Duration = .seconds(30)) throws -> FileLock {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw FileLockError(path: path, reason: String(cString: strerror(errno)))
        }
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(2)
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return FileLock(path: path, descriptor: fd) }
            let error = errno
            guard error == EWOULDBLOCK || error == EINTR else {
                close(fd)
                throw FileLockError(path: path, reason: String(cString: strerror(error)))
            }
            if ContinuousClock.now >= deadline {
                close(fd)
                throw FileLockError(path: path, reason: "still locked by another process after \(timeout)")
            }
            let micros = pause.inMicroseconds
            usleep(UInt32(max(1, micros)))
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Runs `body` while holding the lock on `path`.
    public static func withLock<T>(
        path: String, timeout: Duration = .seconds(30), _ body: () throws -> T
    ) throws -> T {
        let lock = try acquire(path: path, timeout: timeout)
        defer { lock.unlock() }
        return try body()
    }

    /// Releases the lock. Calling it twice is harmless.
    public func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}

/// A lock file could not be opened or locked in time.
public struct FileLockError: Error, CustomStringConvertible, Sendable {
    /// The lock file.
    public let path: String
    /// What went wrong.
    public let reason: String

    public var description: String { "cannot lock \(path): \(reason)" }
}
