import Foundation
import ExeSystem

/// Reads and changes ``SimState`` under an exclusive file lock, so that
/// any number of concurrent control commands (each its own process) see
/// and make consistent changes. Writes are atomic.
package struct StateStore: Sendable {
    /// The state directory's paths.
    package let paths: SimPaths
    /// The email a fresh state starts with.
    package let defaultEmail: String
    /// The tag scope of the caller: reads and changes see only its VMs.
    var scope = TagScope(tag: nil)

    /// A store for the state directory at `paths`.
    package init(paths: SimPaths, defaultEmail: String) {
        self.paths = paths
        self.defaultEmail = defaultEmail
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Seconds since 1970 as a number, to the microsecond: a whole-second
        // `createdAt` (`.iso8601`) would end the lobby window up to 1 s early.
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        // Numbers, and ISO 8601 text as older state files have it.
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try container.decode(String.self)
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a time: \(text)")
        }
        return decoder
    }

    /// The state as it is now, read without the lock (writes are atomic,
    /// so this is always a whole, consistent version).
    package func snapshot() throws -> SimState {
        scope.view(of: try fullSnapshot())
    }

    private func fullSnapshot() throws -> SimState {
        guard let data = FileManager.default.contents(atPath: paths.state) else { return SimState(email: defaultEmail) }
        return try Self.decoder().decode(SimState.self, from: data)
    }

    /// This store limited to the VMs `scope` allows.
    func scoped(_ scope: TagScope) -> StateStore {
        var store = self
        store.scope = scope
        return store
    }

    /// Runs `body` on the state while holding the lock; saves it when
    /// `body` changed it (and returned normally).
    package func update<T>(_ body: (inout SimState) throws -> T) throws -> T {
        let lock = try FileLock.acquire(path: paths.stateLock, timeout: .seconds(60))
        defer { lock.unlock() }
        let original = try fullSnapshot()
        var view = scope.view(of: original)
        let result = try body(&view)
        let state = try scope.merge(view, into: original)
        let before = try Self.encoder.encode(original)
        let after = try Self.encoder.encode(state)
        if before != after {
            try AtomicFile.write(after, to: paths.state, mode: 0o600)
        }
        return result
    }
}
