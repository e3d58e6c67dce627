import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Marks a lease in use on this machine: every `lease run` holds a shared
/// `flock` on `<claims>/.<lease id>.use` while it runs, and a reuse takes a
/// lease only if it can lock it exclusively (nobody runs on it). The kernel
/// releases the lock when the process dies, so a crash never leaves a lease
/// marked busy.
final class LeaseUseLock: @unchecked Sendable {
    private var descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { release() }

    static func path(directory: String, leaseID: String) -> String { directory + "/." + leaseID + ".use" }

    /// A shared lock, waiting for an exclusive holder (a reuse choosing
    /// this lease) for at most a few seconds.
    static func shared(directory: String, leaseID: String) -> LeaseUseLock? {
        take(directory: directory, leaseID: leaseID, operation: LOCK_SH, attempts: 100)
    }

    /// An exclusive lock, only if nobody holds the lease now.
    static func exclusiveIfIdle(directory: String, leaseID: String) -> LeaseUseLock? {
        take(directory: directory, leaseID: leaseID, operation: LOCK_EX, attempts: 1)
    }

    private static func take(directory: String, leaseID: String, operation: Int32, attempts: Int) -> LeaseUseLock? {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(path(directory: directory, leaseID: leaseID), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        for attempt in 0..<attempts {
            if flock(fd, operation | LOCK_NB) == 0 { return LeaseUseLock(descriptor: fd) }
            if errno != EWOULDBLOCK && errno != EINTR { break }
            if attempt + 1 < attempts { usleep(50_000) }
        }
        close(fd)
        return nil
    }

    /// Turns an exclusive lock into a shared one (the reuse that chose the
    /// lease now runs on it).
    func downgrade() { if descriptor >= 0 { flock(descriptor, LOCK_SH) } }

    /// Releases the lock (idempotent).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
