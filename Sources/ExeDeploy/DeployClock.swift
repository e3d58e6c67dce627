public import ExeSystem

/// Time as a deploy sees it: the wall clock (tags, lock and audit times),
/// a monotonic clock (timings, deadlines) and sleeping: the one clock of
/// the libraries, `ExeClock`, under the name deploys have used.
public typealias DeployClock = ExeClock
