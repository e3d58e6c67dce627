public import Foundation
import ExeSystem

/// File transfer over the connection's SFTP subsystem (opened on first use,
/// then shared; requests run one at a time, beside any number of commands).
extension SSHConnection {
    private func sftp(
        _ description: String, _ steps: [SFTPOperation.Step], source: SFTPOperation.Source? = nil, sink: SFTPOperation.Sink = .memory,
        timeout: Duration?
    ) async throws -> SFTPOutcome {
        if let relay {
            return try await relay.fileConnection().sftp(description, steps, source: source, sink: sink, timeout: timeout)
        }
        let gate = CompletionGate<SFTPOutcome>()
        let operation = SFTPOperation(description, steps: steps, source: source, sink: sink, timeout: timeout) { gate.complete($0) }
        let loop = self.loop
        let destination = self.destination
        return try await withTaskCancellationHandler {
            try await gate.wait {
                if !loop.submit(operation) {
                    gate.complete(.failure(loop.failure ?? SSHError(.disconnected, "the connection to \(destination) is closed")))
                }
            }
        } onCancel: {
            loop.abandon(operation, with: SSHError(.cancelled, "\(description) was cancelled"))
        }
    }

    /// Writes `data` to `path` (created or truncated), then sets `mode`.
    public func upload(_ data: Data, to path: String, mode: UInt32 = 0o644, timeout: Duration? = nil) async throws {
        _ = try await sftp("upload of \(path)", Self.uploadSteps(path, mode: mode), source: .data(data), timeout: timeout)
    }

    /// Copies the local file at `localPath` to `path`, streaming it in chunks.
    public func upload(contentsOf localPath: String, to path: String, mode: UInt32 = 0o644, timeout: Duration? = nil) async throws {
        guard let file = FileHandle(forReadingAtPath: localPath) else {
            throw SSHError(.invalidConfiguration, "cannot read \(localPath)")
        }
        _ = try await sftp("upload of \(path)", Self.uploadSteps(path, mode: mode), source: .file(file), timeout: timeout)
    }

    private static func uploadSteps(_ path: String, mode: UInt32) -> [SFTPOperation.Step] {
        [
            .openForWrite(path: path, mode: Int32(mode), exclusive: false), .write, .fsync, .closeHandle,
            .setPermissions(path: path, mode: mode),
        ]
    }

    /// Reads the whole file at `path`.
    public func download(_ path: String, timeout: Duration? = nil) async throws -> Data {
        try await sftp("download of \(path)", [.openForRead(path: path), .read, .closeHandle], timeout: timeout).data
    }

    /// Copies the file at `path` to the local file `localPath`, streaming it
    /// in chunks (constant memory, whatever the size). The bytes go to a
    /// temporary file beside `localPath`, which replaces `localPath` only
    /// once the whole file arrived: a failed download leaves it as it was.
    public func download(_ path: String, toFile localPath: String, mode: UInt32 = 0o644, timeout: Duration? = nil) async throws {
        let temporary = localPath + ".exe-download-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            throw SSHError(.invalidConfiguration, "cannot write \(localPath): \(String(cString: strerror(errno)))")
        }
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do {
            _ = try await sftp("download of \(path)", [.openForRead(path: path), .read, .closeHandle], sink: .file(file), timeout: timeout)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, localPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SSHError(.invalidConfiguration, "cannot replace \(localPath): \(reason)")
        }
    }

    /// Creates the directory `path`; with `intermediate`, its missing parents
    /// too, and an existing directory is fine (`mkdir -p`).
    public func createDirectory(_ path: String, mode: UInt32 = 0o755, intermediate: Bool = true, timeout: Duration? = nil) async throws {
        var steps: [SFTPOperation.Step] = []
        if intermediate {
            let components = path.split(separator: "/")
            var prefix = path.hasPrefix("/") ? "" : "."
            for component in components {
                prefix += "/" + component
                steps.append(.mkdir(path: prefix, mode: Int32(mode), tolerateExisting: true))
            }
            steps.append(.stat(path: path, missingIsNil: false))
        } else {
            steps.append(.mkdir(path: path, mode: Int32(mode), tolerateExisting: false))
        }
        let outcome = try await sftp("mkdir of \(path)", steps, timeout: timeout)
        if intermediate, outcome.attributes?.isDirectory != true {
            throw SSHError(.sftp, "cannot create directory \(path): a file is in the way")
        }
    }

    /// The attributes of `path`, or `nil` when it does not exist.
    public func attributes(of path: String, timeout: Duration? = nil) async throws -> RemoteFileAttributes? {
        try await sftp("stat of \(path)", [.stat(path: path, missingIsNil: true)], timeout: timeout).attributes
    }

    /// Sets the permission bits of `path`.
    public func setPermissions(_ path: String, mode: UInt32, timeout: Duration? = nil) async throws {
        _ = try await sftp("chmod of \(path)", [.setPermissions(path: path, mode: mode)], timeout: timeout)
    }

    /// Removes the file at `path`; a missing file is fine.
    public func removeFile(_ path: String, timeout: Duration? = nil) async throws {
        _ = try await sftp("removal of \(path)", [.unlink(path: path, tolerateMissing: true)], timeout: timeout)
    }

    /// Replaces `path` with `data` so that readers see the old file or the
    /// new one, never a partial write: the bytes go to a temporary file in
    /// the same directory, which is fsynced, closed, given `mode`, and then
    /// renamed over `path` with `mv -f` (OpenSSH's SFTP rename refuses to
    /// overwrite, and libssh2 1.10 has no posix-rename).
    ///
    /// - Parameters:
    ///   - path: the remote file to replace.
    ///   - data: its new content.
    ///   - mode: the new file's permission bits.
    ///   - keepPrevious: a suffix (such as `.prev`): the old file, if any,
    ///     stays available under `path + suffix`.
    ///   - timeout: how long the whole replacement may take.
    public func replaceAtomically(_ path: String, with data: Data, mode: UInt32 = 0o644, keepPrevious: String? = nil, timeout: Duration? = nil) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).exe-tmp-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try await upload(data, to: temporary, mode: mode, timeout: timeout)
            let move = ShellCommand("mv", "-f", "--", temporary, path)
            var command = move
            if let suffix = keepPrevious {
                // (no old file || hard link || copy) && move: the old file, if
                // any, is kept under `path + suffix` before the move replaces it.
                let previous = path + suffix
                command = ShellCommand("test", "!", "-e", path)
                    .or(ShellCommand("ln", "-f", path, previous).discardingErrors())
                    .or(ShellCommand("cp", "-p", path, previous))
                    .and(move)
            }
            try await run(command, timeout: timeout, check: true)
        } catch {
            try? await removeFile(temporary)
            throw error
        }
    }
}
