internal import CLibSSH2
import Foundation

/// Attributes of a remote file, from SFTP `stat`.
public struct RemoteFileAttributes: Sendable, Equatable {
    /// Size in bytes.
    public var size: UInt64
    /// Permission bits (e.g. `0o644`), without the file type.
    public var permissions: UInt32
    /// Whether it is a directory.
    public var isDirectory: Bool
    /// Whether it is a regular file.
    public var isRegularFile: Bool
    /// Modification time, seconds since 1970.
    public var modificationTime: UInt64

    /// Attributes with these values (for hosts that are not SFTP servers,
    /// such as test doubles).
    public init(size: UInt64, permissions: UInt32, isDirectory: Bool, isRegularFile: Bool, modificationTime: UInt64) {
        self.size = size
        self.permissions = permissions
        self.isDirectory = isDirectory
        self.isRegularFile = isRegularFile
        self.modificationTime = modificationTime
    }
}

/// One SFTP request sequence (open, write, fsync, close; or mkdir; ...),
/// advanced by the loop one libssh2 call at a time. Only the operation that
/// owns the subsystem issues calls; the rest wait their turn.
final class SFTPOperation: LoopOperation, @unchecked Sendable {
    enum Step {
        case openForWrite(path: String, mode: Int32, exclusive: Bool)
        case openForRead(path: String)
        case write
        case read
        case fsync
        case closeHandle
        case mkdir(path: String, mode: Int32, tolerateExisting: Bool)
        case stat(path: String, missingIsNil: Bool)
        case setPermissions(path: String, mode: UInt32)
        case unlink(path: String, tolerateMissing: Bool)
    }

    /// Where upload bytes come from.
    enum Source {
        case data(Data)
        case file(FileHandle)
    }

    /// Where a download's bytes go: kept in memory, or written to a local
    /// file as they arrive (constant memory).
    enum Sink {
        case memory
        case file(FileHandle)
    }

    let usesChannel = false
    let deadline: Deadline?
    private var steps: [Step]
    private var index = 0
    private var handle: OpaquePointer?
    private var source: Source?
    private let sink: Sink
    private var chunk = Data()
    private var chunkOffset = 0
    private var sourceDone = false
    private var downloaded = Data()
    private(set) var attributes: RemoteFileAttributes?
    private var abandoned = false
    private var completed = false
    /// The last call left a half-sent packet; it must be repeated before the
    /// operation may turn to anything else (closing its handle when abandoned,
    /// or giving the subsystem to the next operation).
    private var resumingBlockedCall = false
    /// An abandoned operation is closing its handle (the call to repeat).
    private var closingHandle = false
    private let completion: @Sendable (Result<SFTPOutcome, SSHError>) -> Void
    private let description: String

    init(
        _ description: String, steps: [Step], source: Source? = nil, sink: Sink = .memory, timeout: Duration?,
        completion: @escaping @Sendable (Result<SFTPOutcome, SSHError>) -> Void
    ) {
        self.description = description
        self.steps = steps
        self.source = source
        self.sink = sink
        self.deadline = timeout.map(Deadline.after)
        self.completion = completion
    }

    func abandon(_ error: SSHError) {
        abandoned = true
        complete(.failure(error))
    }

    func connectionLost(_ error: SSHError) {
        handle = nil
        complete(.failure(error))
    }

    private func complete(_ result: Result<SFTPOutcome, SSHError>) {
        guard !completed else { return }
        completed = true
        if case .file(let file) = source { try? file.close() }
        if case .file(let file) = sink {
            // The operation owns the local file: flushed on success, closed
            // before the caller hears of the result.
            if case .success = result { try? file.synchronize() }
            try? file.close()
        }
        completion(result)
    }

    func advance(_ loop: SessionLoop) -> OperationProgress {
        let progress = advanceSteps(loop)
        resumingBlockedCall = progress == .blockedOutbound
        return progress
    }

    private func advanceSteps(_ loop: SessionLoop) -> OperationProgress {
        let me = ObjectIdentifier(self)
        var resuming = resumingBlockedCall
        if let owner = loop.sftp.owner, owner != me { return .waitingForSocket }
        if abandoned, handle == nil, loop.sftp.owner == nil { return .finished }
        if abandoned, loop.sftp.handle == nil, loop.sftp.withdraw(loop) {
            // Abandoned before the subsystem's start made a call: no start for nobody.
            loop.sftp.owner = nil
            return .finished
        }
        loop.sftp.owner = me
        let sftp: OpaquePointer
        let initializing = loop.sftp.handle == nil
        switch loop.sftp.prepare(loop) {
        case .ready(let ready):
            sftp = ready
            if initializing { resuming = false }  // the repeated call was the subsystem start
        case .waiting: return loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket
        case .waitingForTurn: return .waitingForSocket
        case .failed(let error):
            loop.sftp.owner = nil
            complete(.failure(error))
            return .finished
        }
        while true {
            defer { resuming = false }
            if abandoned, !resuming, handle == nil {
                loop.sftp.owner = nil
                return .finished
            }
            guard index < steps.count else {
                loop.sftp.owner = nil
                complete(.success(SFTPOutcome(data: downloaded, attributes: attributes)))
                return .finished
            }
            if abandoned, !resuming || closingHandle, let current = handle {
                // Close the open handle before giving the subsystem back.
                closingHandle = true
                let rc = exe_sftp_close(current)
                if rc == LIBSSH2_ERROR_EAGAIN { return wait(loop) }
                closingHandle = false
                handle = nil
                continue
            }
            let rc = perform(steps[index], sftp: sftp, loop: loop)
            switch rc {
            case .done: index += 1
            case .again: return wait(loop)
            case .progressed: return .progressed
            case .failed(let error):
                if LibSSH2.isConnectionFatal(error.libssh2Code ?? 0) {
                    complete(.failure(error))
                    return .finished
                }
                complete(.failure(error))
                abandoned = true
            }
        }
    }

    private func wait(_ loop: SessionLoop) -> OperationProgress {
        loop.blockedOutbound() ? .blockedOutbound : .waitingForSocket
    }

    private enum StepResult { case done, again, progressed, failed(SSHError) }

    private func perform(_ step: Step, sftp: OpaquePointer, loop: SessionLoop) -> StepResult {
        guard let session = loop.session else { return .failed(SSHError(.disconnected, "the connection is closed")) }
        func failure(_ rc: Int32, _ what: String) -> StepResult {
            if rc == LIBSSH2_ERROR_SFTP_PROTOCOL {
                let status = libssh2_sftp_last_error(sftp)
                return .failed(SSHError(.sftp, "SFTP \(what) failed: \(Self.statusText(status))", libssh2Code: rc, sftpStatus: status))
            }
            return .failed(loop.error(rc, "SFTP \(what)", kind: .sftp))
        }
        func lastCode() -> Int32 { libssh2_session_last_errno(session) }

        switch step {
        case .openForWrite(let path, let mode, let exclusive):
            let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | (exclusive ? LIBSSH2_FXF_EXCL : LIBSSH2_FXF_TRUNC))
            guard let opened = exe_sftp_open(sftp, path, flags, Int(mode), LIBSSH2_SFTP_OPENFILE) else {
                let code = lastCode()
                return code == LIBSSH2_ERROR_EAGAIN ? .again : failure(code, "open of \(path) for writing")
            }
            handle = opened
            return .done
        case .openForRead(let path):
            guard let opened = exe_sftp_open(sftp, path, UInt(LIBSSH2_FXF_READ), 0, LIBSSH2_SFTP_OPENFILE) else {
                let code = lastCode()
                return code == LIBSSH2_ERROR_EAGAIN ? .again : failure(code, "open of \(path) for reading")
            }
            handle = opened
            return .done
        case .write:
            guard let handle else { return .done }
            if chunkOffset >= chunk.count {
                if sourceDone { return .done }
                switch source {
                case .data(let data):
                    chunk = data
                    sourceDone = true
                case .file(let file):
                    let next = (try? file.read(upToCount: 1 << 20)) ?? Data()
                    if next.isEmpty { sourceDone = true; return .done }
                    chunk = next
                case nil:
                    sourceDone = true
                    return .done
                }
                chunkOffset = 0
                if chunk.isEmpty { return .done }
            }
            let written = chunk.withUnsafeBytes { bytes in
                libssh2_sftp_write(handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self) + chunkOffset, bytes.count - chunkOffset)
            }
            if written == Int(LIBSSH2_ERROR_EAGAIN) { return .again }
            if written < 0 { return failure(Int32(written), "write") }
            chunkOffset += written
            return .progressed
        case .read:
            guard let handle else { return .done }
            let count = libssh2_sftp_read(handle, loop.readBuffer, loop.readBufferSize)
            if count == Int(LIBSSH2_ERROR_EAGAIN) { return .again }
            if count < 0 { return failure(Int32(count), "read") }
            if count == 0 { return .done }
            let bytes = UnsafeRawBufferPointer(start: loop.readBuffer, count: count).bindMemory(to: UInt8.self)
            switch sink {
            case .memory:
                downloaded.append(bytes)
            case .file(let file):
                // An abandoned download may finish one last read; its bytes go nowhere.
                if completed { return .progressed }
                do {
                    try file.write(contentsOf: Data(bytes))
                } catch {
                    return .failed(SSHError(.sftp, "\(description): writing the local file failed: \(error.localizedDescription)"))
                }
            }
            return .progressed
        case .fsync:
            guard let handle else { return .done }
            let rc = libssh2_sftp_fsync(handle)
            if rc == LIBSSH2_ERROR_EAGAIN { return .again }
            // Servers without the fsync@openssh.com extension answer "unsupported"; the rename still orders the write.
            if rc != 0, !(rc == LIBSSH2_ERROR_SFTP_PROTOCOL && libssh2_sftp_last_error(sftp) == LIBSSH2_FX_OP_UNSUPPORTED) {
                return failure(rc, "fsync")
            }
            return .done
        case .closeHandle:
            guard let current = handle else { return .done }
            let rc = exe_sftp_close(current)
            if rc == LIBSSH2_ERROR_EAGAIN { return .again }
            handle = nil
            return rc == 0 ? .done : failure(rc, "close")
        case .mkdir(let path, let mode, let tolerateExisting):
            let rc = exe_sftp_mkdir(sftp, path, Int(mode))
            if rc == LIBSSH2_ERROR_EAGAIN { return .again }
            if rc != 0 {
                let status = rc == LIBSSH2_ERROR_SFTP_PROTOCOL ? libssh2_sftp_last_error(sftp) : 0
                if tolerateExisting, status == LIBSSH2_FX_FAILURE || status == LIBSSH2_FX_FILE_ALREADY_EXISTS {
                    return .done
                }
                return failure(rc, "mkdir of \(path)")
            }
            return .done
        case .stat(let path, let missingIsNil):
            var raw = LIBSSH2_SFTP_ATTRIBUTES()
            let rc = exe_sftp_stat(sftp, path, LIBSSH2_SFTP_STAT, &raw)
            if rc == LIBSSH2_ERROR_EAGAIN { return .again }
            if rc != 0 {
                let status = rc == LIBSSH2_ERROR_SFTP_PROTOCOL ? libssh2_sftp_last_error(sftp) : 0
                if missingIsNil, status == LIBSSH2_FX_NO_SUCH_FILE || status == LIBSSH2_FX_NO_SUCH_PATH {
                    attributes = nil
                    return .done
                }
                return failure(rc, "stat of \(path)")
            }
            let type = UInt32(raw.permissions) & UInt32(LIBSSH2_SFTP_S_IFMT)
            attributes = RemoteFileAttributes(
                size: UInt64(raw.filesize), permissions: UInt32(raw.permissions) & 0o7777,
                isDirectory: type == UInt32(LIBSSH2_SFTP_S_IFDIR), isRegularFile: type == UInt32(LIBSSH2_SFTP_S_IFREG),
                modificationTime: UInt64(raw.mtime))
            return .done
        case .setPermissions(let path, let mode):
            var raw = LIBSSH2_SFTP_ATTRIBUTES()
            raw.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
            raw.permissions = UInt(mode)
            let rc = exe_sftp_stat(sftp, path, LIBSSH2_SFTP_SETSTAT, &raw)
            if rc == LIBSSH2_ERROR_EAGAIN { return .again }
            return rc == 0 ? .done : failure(rc, "chmod of \(path)")
        case .unlink(let path, let tolerateMissing):
            let rc = exe_sftp_unlink(sftp, path)
            if rc == LIBSSH2_ERROR_EAGAIN { return .again }
            if rc != 0 {
                let status = rc == LIBSSH2_ERROR_SFTP_PROTOCOL ? libssh2_sftp_last_error(sftp) : 0
                if tolerateMissing, status == LIBSSH2_FX_NO_SUCH_FILE { return .done }
                return failure(rc, "unlink of \(path)")
            }
            return .done
        }
    }

    static func statusText(_ status: UInt) -> String {
        switch status {
        case LIBSSH2_FX_NO_SUCH_FILE: return "no such file"
        case LIBSSH2_FX_PERMISSION_DENIED: return "permission denied"
        case LIBSSH2_FX_FAILURE: return "failure (the file may already exist, or the directory is not empty)"
        case LIBSSH2_FX_NO_SUCH_PATH: return "no such path"
        case LIBSSH2_FX_FILE_ALREADY_EXISTS: return "file already exists"
        case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return "no space left on the file system"
        case LIBSSH2_FX_QUOTA_EXCEEDED: return "quota exceeded"
        case LIBSSH2_FX_OP_UNSUPPORTED: return "operation not supported by the server"
        case LIBSSH2_FX_NOT_A_DIRECTORY: return "not a directory"
        default: return "status \(status)"
        }
    }
}

/// What a finished SFTP operation returns.
struct SFTPOutcome: Sendable {
    var data: Data
    var attributes: RemoteFileAttributes?
}
