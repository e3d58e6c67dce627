import Foundation

/// A count of open connections with a ceiling: the accept loop takes a
/// slot per connection and the connection's thread gives it back.
final class ConnectionLimit: @unchecked Sendable {
    /// The most slots that may be taken at once.
    let capacity: Int
    private let lock = NSLock()
    private var count = 0

    /// A limit of `capacity` slots.
    init(capacity: Int) { self.capacity = capacity }

    /// Takes a slot; `false` (and nothing taken) when all are in use.
    func open() -> Bool {
        lock.withLock {
            guard count < capacity else { return false }
            count += 1
            return true
        }
    }

    /// Gives a slot back.
    func close() {
        lock.withLock { count = max(0, count - 1) }
    }

    /// Slots in use.
    var inUse: Int { lock.withLock { count } }
}
