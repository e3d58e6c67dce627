import Foundation

/// The process's stdin as an async sequence of chunks, read on a dedicated
/// thread (so a blocking read never holds a cooperative thread). Ends at EOF.
enum StandardInput {
    static func chunks() -> AsyncStream<Data> {
        AsyncStream { continuation in
            let thread = Thread {
                var buffer = [UInt8](repeating: 0, count: 32 * 1024)
                while true {
                    let count = read(0, &buffer, buffer.count)
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 { break }
                    continuation.yield(Data(buffer[0..<count]))
                }
                continuation.finish()
            }
            thread.start()
        }
    }

    /// Whether stdin is a terminal.
    static var isTerminal: Bool { isatty(0) == 1 }
}
