import ExeSSH
import ExeSystem
import Foundation

/// The client side of the connection holder: reaches the holder's socket,
/// starting the holder when nothing answers, and asks it to list or stop.
struct HolderClient: Sendable {
    let location: HolderLocation
    /// How long a holder started on demand may stay idle.
    let idleTimeout: Duration
    /// Receives what happened, for `-v`.
    let log: @Sendable (String) -> Void

    /// How long to wait for a holder just started to listen.
    static let startDeadline = Duration.seconds(3)

    /// A connected socket to a running holder, starting one if needed.
    ///
    /// - Throws: ``HolderUnavailable`` when the directory is not private or
    ///   no holder answers in time.
    func connect() throws(HolderUnavailable) -> Int32 {
        try location.preparePrivateDirectory()
        if let fd = try? UnixSocket.connect(to: location.socketPath) { return fd }
        let holder = try start()
        let deadline = ContinuousClock.now + Self.startDeadline
        var pause = Duration.milliseconds(1)
        while ContinuousClock.now < deadline {
            // Whether it had ended is read before the connect, so a connect
            // that fails after its end is final.
            let ended = !holder.isRunning
            if let fd = try? UnixSocket.connect(to: location.socketPath) { return fd }
            // It ended without listening (it could not bind, or lost the lock
            // to a holder that is gone again): no use waiting out the deadline.
            if ended { throw HolderUnavailable("the connection holder ended without listening on \(location.socketPath)") }
            let micros = pause.inMicroseconds
            usleep(UInt32(max(1, micros)))
            pause = min(pause * 2, .milliseconds(20))
        }
        throw HolderUnavailable("the connection holder did not start listening on \(location.socketPath)")
    }

    /// How long `connections` and `connections stop` wait for the holder's answer.
    static let answerDeadline = Duration.seconds(10)

    /// A stuck holder makes the read fail after ``answerDeadline`` instead of hanging.
    private static func setReadDeadline(_ fd: Int32) {
        var timeout = timeval(tv_sec: Int(answerDeadline.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The variables a holder inherits.
    static let passedVariables: Set<String> = ["HOME", "USER", "LOGNAME", "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "XDG_RUNTIME_DIR", "XDG_STATE_HOME"]

    /// A socket to a running holder, without starting one; `nil` if none answers.
    func connectIfRunning() -> Int32? {
        guard (try? location.preparePrivateDirectory()) != nil else { return nil }
        return try? UnixSocket.connect(to: location.socketPath)
    }

    /// Starts `exe-cli connections serve` in a new session, detached from
    /// our terminal, with no arguments that carry anything secret.
    private func start() throws(HolderUnavailable) -> ChildProcess {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // The holder only opens SSH connections, with settings each command
        // sends it: it gets no token, password or other secret a caller's
        // environment may hold, only what locates files and the locale.
        let environment = ProcessInfo.processInfo.environment.filter { Self.passedVariables.contains($0.key) }
        let seconds = String(idleTimeout.components.seconds)
        do {
            let holder = try ChildProcess.spawn(
                executable, ["connections", "serve", "--idle", seconds, "--directory", location.directory], environment: environment, workingDirectory: "/", stdin: .null,
                stdout: .null, stderr: .null, newSession: true)
            log("started a connection holder (idle timeout \(seconds) s) at \(location.socketPath)")
            return holder
        } catch {
            throw HolderUnavailable("cannot start the connection holder: \(error)")
        }
    }

    /// What the holder holds, or `nil` when no holder runs.
    func listing() throws -> HolderListing? {
        guard let fd = connectIfRunning() else { return nil }
        defer { close(fd) }
        Self.setReadDeadline(fd)
        try HolderFrameWriter(fd: fd).write(HolderFrame(.list))
        guard let frame = try HolderFrame.read(from: fd), frame.kind == .listing else {
            throw HolderProtocolError("the connection holder sent no listing")
        }
        return try frame.decode(HolderListing.self)
    }

    /// Asks the holder to end; `false` when none was running.
    func stop() throws -> Bool {
        guard let fd = connectIfRunning() else { return false }
        defer { close(fd) }
        Self.setReadDeadline(fd)
        try HolderFrameWriter(fd: fd).write(HolderFrame(.stop))
        _ = try HolderFrame.read(from: fd)
        return true
    }
}
