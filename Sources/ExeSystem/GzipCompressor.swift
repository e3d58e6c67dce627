internal import CZlib
public import Foundation

/// Streaming gzip compression (zlib), for sending compressible data (source
/// trees) through a slow link or a slow cipher in fewer bytes.
public final class GzipCompressor {
    private var stream = z_stream()
    private var finished = false
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 256 * 1024)

    /// Creates a compressor; level 1 is fast, 9 is small.
    public init(level: Int32 = 1) {
        let rc = exe_deflate_init_gzip(&stream, level)
        precondition(rc == Z_OK, "zlib deflateInit2 failed: \(rc)")
    }

    deinit {
        deflateEnd(&stream)
        buffer.deallocate()
    }

    /// Compresses `data`; returns whatever compressed bytes are ready.
    public func compress(_ data: Data) -> Data { run(data, flush: Z_NO_FLUSH) }

    /// Ends the stream; returns the remaining compressed bytes and the trailer.
    public func finish() -> Data {
        guard !finished else { return Data() }
        finished = true
        return run(Data(), flush: Z_FINISH)
    }

    private func run(_ input: Data, flush: Int32) -> Data {
        var output = Data()
        input.withUnsafeBytes { raw in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(raw.count)
            repeat {
                stream.next_out = buffer
                stream.avail_out = 256 * 1024
                let rc = deflate(&stream, flush)
                precondition(rc != Z_STREAM_ERROR, "zlib stream error")
                output.append(buffer, count: 256 * 1024 - Int(stream.avail_out))
                if flush == Z_FINISH && rc == Z_STREAM_END { break }
            } while stream.avail_out == 0 || (flush == Z_FINISH)
            stream.next_in = nil
        }
        return output
    }
}
