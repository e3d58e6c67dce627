import Foundation

/// Runs work that recurses deeply on a thread of its own with a stack of a
/// given size, and waits for it.
enum OnLargeStack {
    /// The value of `body`, run on a new thread with `stackBytes` of stack.
    static func run<T: Sendable>(stackBytes: Int, _ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = stackBytes
        thread.start()
        done.wait()
        // The semaphore orders the write before this read.
        guard let value = box.value else { preconditionFailure("the thread signalled without a result") }
        return value
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }
}
