import ExeSystem
import Foundation
import Synchronization

/// Gzip-compresses another byte stream on the fly, counting what it emits.
/// Source trees shrink three- to five-fold at level 1, which matters more
/// than the CPU spent: libssh2 1.10 encrypts at a few tens of MB/s.
///
/// One consumer at a time (the connection's input pump) iterates it; that is
/// why the mutable iterator state is unchecked.
final class CompressedStream<Base: AsyncSequence & Sendable>: AsyncSequence, @unchecked Sendable where Base.Element == Data {
    typealias Element = Data

    private let base: Base
    private let compressor: GzipCompressor
    private var iterator: Base.AsyncIterator?
    private var done = false
    private let produced = Mutex<Int64>(0)

    init(_ base: Base, level: Int32 = 1) {
        self.base = base
        self.compressor = GzipCompressor(level: level)
    }

    /// Compressed bytes produced so far.
    var bytesProduced: Int64 { produced.withLock { $0 } }

    struct Iterator: AsyncIteratorProtocol {
        let stream: CompressedStream
        mutating func next() async throws -> Data? { try await stream.nextChunk() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

    private func nextChunk() async throws -> Data? {
        if done { return nil }
        if iterator == nil { iterator = base.makeAsyncIterator() }
        while let chunk = try await iterator!.next() {
            let compressed = compressor.compress(chunk)
            if compressed.isEmpty { continue }
            produced.withLock { $0 += Int64(compressed.count) }
            return compressed
        }
        done = true
        let tail = compressor.finish()
        produced.withLock { $0 += Int64(tail.count) }
        return tail.isEmpty ? nil : tail
    }
}
