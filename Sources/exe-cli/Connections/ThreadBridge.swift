import Foundation
import Synchronization

/// Awaits async work from a dedicated (non-cooperative) thread, one call at
/// a time, and lets another thread cancel the call in progress. The holder
/// and its clients do blocking socket I/O on their own threads and use this
/// to pull from async sources without ever blocking the cooperative pool.
final class ThreadAwaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Task<Void, Never>?
    private var cancelled = false

    /// Runs `body` in a task and blocks this thread until it finishes.
    func await<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do {
                let value = try await body()
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        lock.withLock {
            current = task
            if cancelled { task.cancel() }
        }
        done.wait()
        lock.withLock { current = nil }
        return outcome.withLock { $0! }
    }

    /// Cancels the call in progress and every later one.
    func cancel() {
        lock.withLock {
            cancelled = true
            current?.cancel()
        }
    }
}

/// Hands elements from a producing thread (which blocks while `capacity`
/// elements are undelivered: back-pressure) to one async consumer.
final class ThreadToAsyncQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var finished = false
    private var failure: (any Error)?
    private var consumerGone = false
    private var waiter: CheckedContinuation<Element?, any Error>?
    private let capacity: Int
    private let onConsumerGone: @Sendable () -> Void

    init(capacity: Int, onConsumerGone: @escaping @Sendable () -> Void = {}) {
        self.capacity = max(1, capacity)
        self.onConsumerGone = onConsumerGone
    }

    /// Delivers `element`, blocking while the queue is full. `false` when the consumer went away.
    @discardableResult
    func put(_ element: Element) -> Bool {
        condition.lock()
        while items.count - head >= capacity, !consumerGone { condition.wait() }
        if consumerGone || finished {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: element)
            return true
        }
        items.append(element)
        condition.unlock()
        return true
    }

    /// Ends the sequence: `nil` after the queued elements, or `error`.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        guard !finished else {
            condition.unlock()
            return
        }
        finished = true
        failure = error
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The next element; `nil` at the end.
    func next() async throws -> Element? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if head < items.count {
                let element = items[head]
                head += 1
                if head > 64, head * 2 > items.count {
                    items.removeFirst(head)
                    head = 0
                }
                condition.broadcast()
                condition.unlock()
                continuation.resume(returning: element)
            } else if finished {
                let failure = self.failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else if consumerGone {
                condition.unlock()
                continuation.resume(throwing: CancellationError())
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }

    /// The consumer stopped: wakes a blocked producer and fails a pending `next()`.
    func abandon() {
        condition.lock()
        let first = !consumerGone
        consumerGone = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(throwing: CancellationError())
        if first { onConsumerGone() }
    }

    /// The elements as a stream; cancelling its consumer abandons the queue.
    var stream: AsyncThrowingStream<Element, any Error> {
        AsyncThrowingStream(unfolding: { [self] in
            try await withTaskCancellationHandler { try await next() } onCancel: { abandon() }
        })
    }
}

/// Closes a descriptor once every thread using it has let go.
final class SharedDescriptor: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()
    private var users: Int

    init(_ fd: Int32, users: Int) {
        self.fd = fd
        self.users = users
    }

    /// One more user.
    func retain() { lock.withLock { users += 1 } }

    /// Wakes every blocked read and write on the socket.
    func shutdownBoth() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// One user is done; the last closes the descriptor.
    func release() {
        let last = lock.withLock { () -> Bool in
            users -= 1
            return users == 0
        }
        if last { close(fd) }
    }
}
