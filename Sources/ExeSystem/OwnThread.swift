import Foundation

/// Runs blocking work on a new thread, never on Swift's cooperative pool.
enum OwnThread {
    /// The result of `work`, run on a thread of its own.
    static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = name
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
