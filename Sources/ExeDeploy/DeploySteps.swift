import ExeSystem
import Synchronization

/// Runs the steps of one deploy: announces each, times it, and collects
/// the timings for the report.
final class DeploySteps: DeployStepRunning {
    private let context: DeployContext
    private let timings = Mutex(DeployTimings())
    private let start: ContinuousClock.Instant

    init(context: DeployContext) {
        self.context = context
        start = context.clock.instant()
    }

    /// Runs `body` as the step `phase`, announced with `message`.
    func run<T>(_ phase: String, _ message: String, _ body: () async throws -> T) async throws -> T {
        context.progress(.started(phase: phase, message: message))
        let began = context.clock.instant()
        do {
            let result = try await body()
            let elapsed = context.clock.instant() - began
            timings.withLock { $0.add(phase, elapsed) }
            context.progress(.finished(phase: phase, elapsed: elapsed))
            return result
        } catch {
            let elapsed = context.clock.instant() - began
            timings.withLock { $0.add(phase, elapsed) }
            context.progress(.failed(phase: phase, elapsed: elapsed))
            throw error
        }
    }

    /// Records a step measured elsewhere (a builder's push).
    func record(_ phase: String, _ elapsed: Duration) {
        timings.withLock { $0.add(phase, elapsed) }
    }

    /// The timings so far, with the total up to now.
    var snapshot: DeployTimings {
        let total = context.clock.instant() - start
        return timings.withLock { timings in
            var copy = timings
            copy.total = total.inSeconds
            return copy
        }
    }

    func note(_ text: String) { context.progress(.note(text)) }
    func warning(_ text: String) { context.progress(.warning(text)) }
}
