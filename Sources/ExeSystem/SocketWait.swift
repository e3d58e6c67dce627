import CExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Waits with `poll` until a non-blocking socket is ready, or a deadline passes.
enum SocketWait {
    /// Waits for `events` (`POLLIN`, `POLLOUT`) on `fd`.
    ///
    /// - Throws: ``NetworkError/Kind/timedOut`` naming `what` when `deadline` passes.
    static func until(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant, what: @autoclosure () -> String) throws(NetworkError) {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw NetworkError(.timedOut, "timed out \(what())") }
            let milliseconds = left.inMilliseconds + 1
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: min(milliseconds, 60_000)))
            if ready < 0, errno == EINTR { continue }
            if ready < 0 { throw NetworkError(.connectFailed, "poll failed \(what()): \(String(cString: strerror(errno)))") }
            if ready > 0 { return }
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
