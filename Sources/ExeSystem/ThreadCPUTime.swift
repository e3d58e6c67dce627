import CExeSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`).
///
/// A fuzzer's budget and its "slow input" check count this rather than the
/// wall clock: time the thread spends waiting for a core on a busy machine
/// (or at a low priority) neither shortens the run nor makes an input look
/// slow. A connection's loop records it when it ends, to show it waited
/// rather than spun.
package enum ThreadCPUTime {
    /// The calling thread's CPU time so far.
    package static func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }
}
