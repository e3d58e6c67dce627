import Dispatch
import Synchronization

/// Runs a doctor step with a deadline: when it is not done in time the
/// step is cancelled and left behind, and the doctor goes on (a hung VM
/// makes one check a timeout, not the doctor a hang).
enum DoctorDeadline {
    /// Why a step gave no answer in time.
    struct Expired: Error, CustomStringConvertible {
        let seconds: Int
        var description: String { "no answer within \(seconds)s" }
    }

    /// The one continuation the step and the timer race to resume.
    private final class Pending<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<Result<T, any Error>, Never>?>(nil)

        func set(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
            self.continuation.withLock { $0 = continuation }
        }

        /// Resumes with `result` unless the other side already did; whether it did.
        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            guard let continuation = continuation.withLock({ $0.take() }) else { return false }
            continuation.resume(returning: result)
            return true
        }
    }

    /// `body`'s result, or ``Expired`` after `seconds`.
    static func run<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let pending = Pending<T>()
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            pending.set(continuation)
            let work = Task {
                let outcome: Result<T, any Error>
                do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
                pending.finish(outcome)
            }
            // A Dispatch timer, not a sleeping task: the deadline must fire
            // even when the cooperative pool is busy.
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(seconds)) {
                if pending.finish(.failure(Expired(seconds: seconds))) { work.cancel() }
            }
        }
        return try result.get()
    }
}
