import CExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Waits with `poll` until a non-blocking socket is ready, or a deadline passes.
enum SocketWait {
    /// How a wait for a socket ended.
    enum Readiness: Equatable {
        /// The socket is ready for the events asked for.
        case ready
        /// The deadline passed first.
        case timedOut
        /// `poll` failed with this `errno`.
        case failed(Int32)
    }

    /// Waits for `events` (`POLLIN`, `POLLOUT`) on `fd` until `deadline`,
    /// polling at least once, so a socket that is already ready counts even
    /// when the deadline has just passed.
    static func wait(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant) -> Readiness {
        while true {
            let left = deadline - ContinuousClock.now
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, left.pollTimeout(cap: 60_000))
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if ready > 0 { return .ready }
            if left <= .zero { return .timedOut }
        }
    }

    /// Waits for `events` (`POLLIN`, `POLLOUT`) on `fd`.
    ///
    /// - Throws: ``NetworkError/Kind/timedOut`` naming `what` when `deadline` passes.
    static func until(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant, what: @autoclosure () -> String) throws(NetworkError) {
        guard deadline > ContinuousClock.now else { throw NetworkError(.timedOut, "timed out \(what())") }
        switch wait(fd, events: events, deadline: deadline) {
        case .ready: return
        case .timedOut: throw NetworkError(.timedOut, "timed out \(what())")
        case .failed(let code): throw NetworkError(.connectFailed, "poll failed \(what()): \(String(cString: strerror(code)))")
        }
    }

    /// Runs `body` with `SIGPIPE` blocked on this thread, then discards a
    /// `SIGPIPE` the body raised (a write to a closed socket), so it never
    /// ends the process. Used around writes that cannot pass `MSG_NOSIGNAL`
    /// (OpenSSL's socket writes).
    static func withoutSIGPIPE<T>(_ body: () throws(NetworkError) -> T) throws(NetworkError) -> T {
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1, sigismember(&previous, SIGPIPE) == 0 {
                var immediately = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeOnly, nil, &immediately)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }
}
