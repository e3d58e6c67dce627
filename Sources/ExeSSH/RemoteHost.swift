public import ExeSystem
public import Foundation

/// A machine reached over SSH, as far as deploys and leases use one: run
/// and stream commands, read, write and replace files, look at them, make
/// directories, remove files, close.
///
/// ``SSHConnection`` is the real one. `ExeTesting.InMemoryRemoteHost` is an
/// in-memory file system with scripted command answers, so logic built on
/// a host can be unit-tested in milliseconds.
///
/// The requirements take every parameter; the extension below adds the
/// defaults (`stdin: .none`, no timeout, `mode: 0o644`, ...), so callers of
/// `any RemoteHost` write the same calls as callers of ``SSHConnection``.
public protocol RemoteHost: Sendable {
    /// Where the host is (for messages).
    var destination: SSHDestination { get }

    /// Runs `command` (interpreted by the remote user's shell) and collects
    /// its output. With `check`, a non-zero exit throws
    /// ``SSHError/Kind/commandFailed`` carrying the output.
    @discardableResult
    func run(_ command: String, stdin: CommandInput, timeout: Duration?, check: Bool) async throws -> CommandResult

    /// Runs `command` and streams its output as it arrives, then its status.
    func stream(_ command: String, stdin: CommandInput, timeout: Duration?) -> AsyncThrowingStream<CommandOutputEvent, any Error>

    /// Reads the whole file at `path`.
    func download(_ path: String, timeout: Duration?) async throws -> Data

    /// Writes `data` to `path` (created or truncated), then sets `mode`.
    func upload(_ data: Data, to path: String, mode: UInt32, timeout: Duration?) async throws

    /// Replaces `path` with `data` so that readers see the old file or the
    /// new one, never a partial write. With `keepPrevious` (a suffix such as
    /// `.prev`), the old file stays available under `path + keepPrevious`.
    func replaceAtomically(_ path: String, with data: Data, mode: UInt32, keepPrevious: String?, timeout: Duration?) async throws

    /// The attributes of `path`, or `nil` when it does not exist.
    func attributes(of path: String, timeout: Duration?) async throws -> RemoteFileAttributes?

    /// Creates the directory `path`; with `intermediate`, its missing
    /// parents too, and an existing directory is fine (`mkdir -p`).
    func createDirectory(_ path: String, mode: UInt32, intermediate: Bool, timeout: Duration?) async throws

    /// Removes the file at `path`; a missing file is fine.
    func removeFile(_ path: String, timeout: Duration?) async throws

    /// Closes the connection; pending operations fail.
    func close() async
}

extension RemoteHost {
    /// Runs `command` with the defaults: no stdin, no timeout, no check.
    @discardableResult
    public func run(_ command: String, stdin: CommandInput = .none, timeout: Duration? = nil, check: Bool = false) async throws -> CommandResult {
        try await run(command, stdin: stdin, timeout: timeout, check: check)
    }

    /// Runs the command line `command` builds (see `ExeSystem.ShellCommand`:
    /// every word quoted), with the same defaults.
    @discardableResult
    public func run(_ command: ShellCommand, stdin: CommandInput = .none, timeout: Duration? = nil, check: Bool = false) async throws
        -> CommandResult
    {
        try await run(command.commandLine, stdin: stdin, timeout: timeout, check: check)
    }

    /// Streams the command line `command` builds, with the same defaults.
    public func stream(_ command: ShellCommand, stdin: CommandInput = .none, timeout: Duration? = nil) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        stream(command.commandLine, stdin: stdin, timeout: timeout)
    }

    /// Streams `command` with the defaults: no stdin, no timeout.
    public func stream(_ command: String, stdin: CommandInput = .none, timeout: Duration? = nil) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        stream(command, stdin: stdin, timeout: timeout)
    }

    /// Reads the whole file at `path`, without a timeout.
    public func download(_ path: String) async throws -> Data {
        try await download(path, timeout: nil)
    }

    /// Writes `data` to `path` with `mode` (0644 by default), without a timeout.
    public func upload(_ data: Data, to path: String, mode: UInt32 = 0o644) async throws {
        try await upload(data, to: path, mode: mode, timeout: nil)
    }

    /// Replaces `path` atomically with the defaults: mode 0644, nothing kept, no timeout.
    public func replaceAtomically(_ path: String, with data: Data, mode: UInt32 = 0o644, keepPrevious: String? = nil) async throws {
        try await replaceAtomically(path, with: data, mode: mode, keepPrevious: keepPrevious, timeout: nil)
    }

    /// The attributes of `path`, without a timeout.
    public func attributes(of path: String) async throws -> RemoteFileAttributes? {
        try await attributes(of: path, timeout: nil)
    }

    /// `mkdir -p path` (mode 0755 by default), without a timeout.
    public func createDirectory(_ path: String, mode: UInt32 = 0o755, intermediate: Bool = true) async throws {
        try await createDirectory(path, mode: mode, intermediate: intermediate, timeout: nil)
    }

    /// Removes the file at `path`, without a timeout.
    public func removeFile(_ path: String) async throws {
        try await removeFile(path, timeout: nil)
    }
}

extension SSHConnection: RemoteHost {}
