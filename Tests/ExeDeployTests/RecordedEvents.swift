import ExeDeploy
import Synchronization

/// Collects a deploy's progress events (a `DeployContext.progress` sink).
final class RecordedEvents: Sendable {
    private let events = Mutex<[DeployEvent]>([])

    func record(_ event: DeployEvent) { events.withLock { $0.append(event) } }

    /// The warnings, in order.
    var warnings: [String] {
        events.withLock { $0 }.compactMap { event in
            if case .warning(let text) = event { return text }
            return nil
        }
    }
}
