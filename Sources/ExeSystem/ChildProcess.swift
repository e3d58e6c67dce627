import CExeSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn`, waited for with `waitpid`, and
/// stopped by its pid.
///
/// Foundation's `Process` waits through a run loop and has blocked the
/// cooperative thread pool in tests; this type uses only system calls, so
/// waiting happens on a dedicated thread or not at all.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// The parent's own stream.
        case inherit
        /// `/dev/null`.
        case null
        /// A file, created if missing, appended to.
        case appendToFile(String)
        /// An existing file descriptor of the parent (duplicated into the child).
        case descriptor(Int32)
    }

    /// The child's pid.
    public let pid: Int32
    private let lock = NSLock()
    private var exitStatus: Int32?

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable` (a path, or a name looked up on `PATH`).
    ///
    /// - Parameters:
    ///   - executable: a path, or a name looked up on `PATH`.
    ///   - arguments: the arguments after the program name.
    ///   - environment: the child's whole environment; `nil` inherits ours.
    ///   - workingDirectory: where the child starts; `nil` is ours.
    ///   - stdin: the child's standard input.
    ///   - stdout: the child's standard output.
    ///   - stderr: the child's standard error.
    ///   - newSession: run the child in a new session (`setsid`), detached
    ///     from our terminal and process group, so it outlives us and our
    ///     Ctrl-C does not reach it.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        workingDirectory: String? = nil, stdin: Stream = .null, stdout: Stream = .inherit,
        stderr: Stream = .inherit, newSession: Bool = false
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            switch stream {
            case .inherit: break
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .appendToFile(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        if let workingDirectory {
            exe_spawn_file_actions_addchdir(&actions, workingDirectory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= Int32(exe_spawn_setsid_flag()) }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envStrings = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = envStrings.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let rc: Int32
        if executable.contains("/") {
            rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        }
        guard rc == 0 else {
            throw ProcessRunnerError.launchFailed(command: executable, reason: String(cString: strerror(rc)))
        }
        return ChildProcess(pid: pid)
    }

    /// The exit status if the child has ended (reaping it), else `nil`.
    /// A signal-ended child reports 128 + the signal number.
    public func exitStatusIfEnded() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid {
            exitStatus = Self.decode(status)
        } else if rc < 0, errno == ECHILD {
            exitStatus = -1
        }
        return exitStatus
    }

    /// Whether the child is still running.
    public var isRunning: Bool { exitStatusIfEnded() == nil }

    /// Blocks this thread until the child ends; returns its status.
    public func waitBlocking() -> Int32 {
        while true {
            if let status = exitStatusIfEnded() { return status }
            lock.lock()
            var status: Int32 = 0
            let rc = waitpid(pid, &status, 0)
            if rc == pid { exitStatus = Self.decode(status) } else if rc < 0, errno != EINTR { exitStatus = exitStatus ?? -1 }
            let done = exitStatus
            lock.unlock()
            if let done { return done }
        }
    }

    /// Waits for the child without blocking a cooperative thread.
    public func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.waitBlocking()) }
            thread.stackSize = 64 << 10
            thread.start()
        }
    }

    /// Sends `signal` to the child (not to anything else).
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the child is reaped.
    public func terminate(grace: Duration = .seconds(3)) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning, ContinuousClock.now < deadline { usleep(5_000) }
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitBlocking()
        }
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    /// The pids of `pid`'s direct children, read from `/proc`.
    public static func children(of pid: Int32) -> [Int32] {
        let path = "/proc/\(pid)/task/\(pid)/children"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0) }
    }
}
