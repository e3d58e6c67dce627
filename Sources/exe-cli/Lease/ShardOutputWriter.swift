import ExeSSH
import Foundation
import Synchronization

/// Writes the output of a sharded run's shards: each complete line with a
/// `[i/N] ` prefix as it arrives (a line is never cut by another shard's),
/// or, when quiet, kept per shard (the last ``quietLimit`` bytes) to print
/// later for the shards that did not pass. With `--json` both streams go
/// to stderr, so that stdout holds only the summary object.
final class ShardOutputWriter: Sendable {
    /// The most bytes kept per shard and stream when quiet.
    static let quietLimit = 1 << 20

    private struct Buffers {
        /// Partial lines, by shard and stream (0 stdout, 1 stderr).
        var pending: [Int: [Int: Data]] = [:]
        /// Everything kept, when quiet.
        var kept: [Int: [Int: Data]] = [:]
    }

    private let total: Int
    private let quiet: Bool
    private let standardOutputToError: Bool
    private let console: Console
    private let buffers = Mutex(Buffers())

    init(total: Int, quiet: Bool, console: Console, standardOutputToError: Bool = false) {
        self.total = total
        self.quiet = quiet
        self.standardOutputToError = standardOutputToError
        self.console = console
    }

    /// The prefix of shard `index`'s lines.
    func prefix(_ index: Int) -> String { "[\(index)/\(total)] " }

    /// Takes one event of shard `index`.
    func write(_ index: Int, _ event: CommandOutputEvent) {
        let stream: Int
        let data: Data
        switch event {
        case .stdout(let bytes): (stream, data) = (0, bytes)
        case .stderr(let bytes): (stream, data) = (1, bytes)
        case .exit:
            finish(index)
            return
        }
        if quiet {
            buffers.withLock { buffers in
                var kept = buffers.kept[index, default: [:]][stream, default: Data()]
                kept.append(data)
                if kept.count > Self.quietLimit { kept = kept.suffix(Self.quietLimit) }
                buffers.kept[index, default: [:]][stream] = kept
            }
            return
        }
        let lines = buffers.withLock { buffers -> Data in
            var pending = buffers.pending[index, default: [:]][stream, default: Data()]
            pending.append(data)
            guard let lastNewline = pending.lastIndex(of: 0x0A) else {
                buffers.pending[index, default: [:]][stream] = pending
                return Data()
            }
            let complete = pending[pending.startIndex...lastNewline]
            buffers.pending[index, default: [:]][stream] = Data(pending[(lastNewline + 1)...])
            return prefixed(index, Data(complete))
        }
        if !lines.isEmpty { emit(stream, lines) }
    }

    /// Writes what is left of shard `index`'s last lines (with a newline).
    func finish(_ index: Int) {
        let rest = buffers.withLock { buffers -> [(Int, Data)] in
            defer { buffers.pending[index] = nil }
            return (buffers.pending[index] ?? [:]).sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { ($0.key, $0.value) }
        }
        for (stream, data) in rest { emit(stream, prefixed(index, data + Data([0x0A]))) }
    }

    /// Prints what was kept of shard `index` (quiet mode), stdout then stderr.
    func replay(_ index: Int) {
        let kept = buffers.withLock { $0.kept.removeValue(forKey: index) } ?? [:]
        for stream in [0, 1] {
            guard var data = kept[stream], !data.isEmpty else { continue }
            if data.last != 0x0A { data.append(0x0A) }
            emit(stream, prefixed(index, data))
        }
    }

    private func prefixed(_ index: Int, _ data: Data) -> Data {
        let prefix = Data(prefix(index).utf8)
        var out = Data()
        out.reserveCapacity(data.count + prefix.count * 4)
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? data.endIndex
            out.append(prefix)
            out.append(data[start..<end])
            start = end
        }
        return out
    }

    private func emit(_ stream: Int, _ data: Data) {
        if stream == 0 && !standardOutputToError { console.writeOutput(data) } else { console.writeError(data) }
    }
}
