public import ExeSSH
public import Foundation
import Synchronization

/// A `RemoteHost` in memory: an ``InMemoryFileSystem`` for the file
/// operations, and scripted answers for commands. It records every command
/// line (kamal-style), so a test asserts what would have run on the VM.
///
/// ```swift
/// let host = InMemoryRemoteHost()
/// host.answer(prefix: "uname") { _ in .exited(0, stdout: "Linux\n") }
/// let result = try await host.run("uname -a")
/// #expect(result.stdout == "Linux\n" && host.commandLines == ["uname -a"])
/// ```
///
/// A command no answer matches exits with status 127 and says so on
/// stderr, so a test sees the command it forgot to script.
public final class InMemoryRemoteHost: RemoteHost {
    /// One command as the host received it.
    public struct Call: Sendable {
        /// The command line, as the remote shell would get it.
        public var command: String
        /// Everything the command would read on stdin.
        public var stdin: Data
        /// The host's files, for answers that act on them.
        public var files: InMemoryFileSystem
    }

    /// Answers a command (or throws, like a transport failure).
    public typealias Answer = @Sendable (Call) async throws -> CommandResult

    private struct Rule {
        var matches: @Sendable (String) -> Bool
        var answer: Answer
    }

    private struct State {
        var rules: [Rule] = []
        var commands: [String] = []
        var closeCount = 0
        var connectionCount = 0
    }

    /// Where the host pretends to be.
    public let destination: SSHDestination
    /// Its files.
    public let files: InMemoryFileSystem
    /// Scripts and records, shared by every connection to the same host.
    private let state: Mutex<State>
    /// Whether this connection was closed.
    private let closed = Atomic<Bool>(false)
    private let shared: InMemoryRemoteHost?
    /// The modification time given to files written through the host.
    private let clock: @Sendable () -> UInt64

    /// A host at `destination` with `files` (empty by default).
    public init(
        destination: SSHDestination = SSHDestination(host: "vm.test", port: 22, user: "user"), files: InMemoryFileSystem = InMemoryFileSystem(),
        modificationTime: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    ) {
        self.destination = destination
        self.files = files
        self.clock = modificationTime
        self.state = Mutex(State())
        self.shared = nil
    }

    private init(sharing host: InMemoryRemoteHost) {
        destination = host.destination
        files = host.files
        clock = host.clock
        state = Mutex(State())
        shared = host
    }

    /// The host whose scripts and records this connection uses.
    private var root: InMemoryRemoteHost { shared ?? self }

    /// A new connection to the same host: same files, same scripted
    /// answers, same records; closing it leaves the others open.
    public func reconnected() -> InMemoryRemoteHost {
        root.state.withLock { $0.connectionCount += 1 }
        return InMemoryRemoteHost(sharing: root)
    }

    // MARK: Scripting

    /// Answers commands for which `matches` is true with `answer`. Rules
    /// added later win over earlier ones.
    public func answer(when matches: @escaping @Sendable (String) -> Bool, _ answer: @escaping Answer) {
        root.state.withLock { $0.rules.insert(Rule(matches: matches, answer: answer), at: 0) }
    }

    /// Answers commands that start with `prefix`.
    public func answer(prefix: String, _ answer: @escaping Answer) {
        self.answer(when: { $0.hasPrefix(prefix) }, answer)
    }

    /// Answers commands that contain `text`.
    public func answer(containing text: String, _ answer: @escaping Answer) {
        self.answer(when: { $0.contains(text) }, answer)
    }

    /// The command lines run or streamed, in order.
    public var commandLines: [String] { root.state.withLock { $0.commands } }

    /// How many times a connection to this host was closed.
    public var closeCount: Int { root.state.withLock { $0.closeCount } }

    /// How many connections ``reconnected()`` made to this host.
    public var connectionCount: Int { root.state.withLock { $0.connectionCount } }

    /// Whether this connection was closed.
    public var isClosed: Bool { closed.load(ordering: .relaxed) }

    // MARK: RemoteHost

    /// Answers `command` from the script.
    public func run(_ command: String, stdin: CommandInput, timeout: Duration?, check: Bool) async throws -> CommandResult {
        let result = try await answer(command, stdin: stdin)
        if check, !result.succeeded {
            let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SSHError(
                .commandFailed, "`\(command)` on \(destination.host) ended with \(result.status)" + (detail.isEmpty ? "" : ": \(detail)"),
                result: result)
        }
        return result
    }

    /// Answers `command` from the script, as its stdout, its stderr, then its status.
    public func stream(_ command: String, stdin: CommandInput, timeout: Duration?) -> AsyncThrowingStream<CommandOutputEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let result = try await self.answer(command, stdin: stdin)
                    if !result.standardOutput.isEmpty { continuation.yield(.stdout(result.standardOutput)) }
                    if !result.standardError.isEmpty { continuation.yield(.stderr(result.standardError)) }
                    continuation.yield(.exit(result.status))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The file's bytes; a missing file throws `SSHError/Kind/sftp`.
    public func download(_ path: String, timeout: Duration?) async throws -> Data {
        try requireOpen()
        guard let file = files.file(path) else { throw SSHError(.sftp, "download of \(path): no such file", sftpStatus: 2) }
        return file.contents
    }

    /// Writes the file (its directory must exist).
    public func upload(_ data: Data, to path: String, mode: UInt32, timeout: Duration?) async throws {
        try requireOpen()
        guard files.isDirectory(InMemoryFileSystem.parent(of: path)) else {
            throw SSHError(.sftp, "upload of \(path): no such directory", sftpStatus: 2)
        }
        files.write(path, .init(contents: data, mode: mode, modificationTime: clock()))
    }

    /// Replaces the file in one step, keeping the old one under `path + keepPrevious` if asked.
    public func replaceAtomically(_ path: String, with data: Data, mode: UInt32, keepPrevious: String?, timeout: Duration?) async throws {
        try requireOpen()
        guard files.isDirectory(InMemoryFileSystem.parent(of: path)) else {
            throw SSHError(.sftp, "upload of \(path): no such directory", sftpStatus: 2)
        }
        if let suffix = keepPrevious, let old = files.file(path) { files.write(path + suffix, old) }
        files.write(path, .init(contents: data, mode: mode, modificationTime: clock()))
    }

    /// The file's or directory's attributes, `nil` when missing.
    public func attributes(of path: String, timeout: Duration?) async throws -> RemoteFileAttributes? {
        try requireOpen()
        if let file = files.file(path) {
            return RemoteFileAttributes(
                size: UInt64(file.contents.count), permissions: file.mode, isDirectory: false, isRegularFile: true,
                modificationTime: file.modificationTime)
        }
        if files.isDirectory(path) {
            return RemoteFileAttributes(size: 4096, permissions: 0o755, isDirectory: true, isRegularFile: false, modificationTime: 0)
        }
        return nil
    }

    /// `mkdir` or `mkdir -p`.
    public func createDirectory(_ path: String, mode: UInt32, intermediate: Bool, timeout: Duration?) async throws {
        try requireOpen()
        let created = intermediate ? files.makeDirectories(path) : files.makeDirectory(path)
        if !created { throw SSHError(.sftp, "cannot create directory \(path)", sftpStatus: 4) }
    }

    /// Removes the file; a missing file is fine.
    public func removeFile(_ path: String, timeout: Duration?) async throws {
        try requireOpen()
        files.removeFile(path)
    }

    /// Closes this connection: its later operations fail with `SSHError/Kind/disconnected`.
    public func close() async {
        if !closed.exchange(true, ordering: .relaxed) {
            root.state.withLock { $0.closeCount += 1 }
        }
    }

    // MARK: Internals

    private func requireOpen() throws {
        if isClosed { throw SSHError(.disconnected, "the connection to \(destination) is closed") }
    }

    private func answer(_ command: String, stdin: CommandInput) async throws -> CommandResult {
        try requireOpen()
        let input = try await stdin.collectedBytes()
        let rule = root.state.withLock { state -> Rule? in
            state.commands.append(command)
            return state.rules.first { $0.matches(command) }
        }
        guard let rule else { return .exited(127, stderr: "sh: no scripted answer for: \(command)\n") }
        return try await rule.answer(Call(command: command, stdin: input, files: files))
    }
}

extension CommandResult {
    /// A result that exited with `code` after printing `stdout` and `stderr`.
    public static func exited(_ code: Int32, stdout: String = "", stderr: String = "") -> CommandResult {
        CommandResult(status: .exited(code), standardOutput: Data(stdout.utf8), standardError: Data(stderr.utf8))
    }
}
