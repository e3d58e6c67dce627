import Foundation

/// Where `exe-cli` writes: stdout for results, stderr for errors and
/// progress. Injected so tests can capture both.
struct Console: Sendable {
    /// Writes bytes to stdout.
    var writeOutput: @Sendable (Data) -> Void
    /// Writes bytes to stderr.
    var writeError: @Sendable (Data) -> Void

    /// The process's stdout and stderr, unbuffered.
    static let standard = Console(
        writeOutput: { data in FileDescriptorWriter.write(data, to: 1) },
        writeError: { data in FileDescriptorWriter.write(data, to: 2) })

    /// Prints `text` and a newline on stdout.
    func print(_ text: String) { writeOutput(Data((text + "\n").utf8)) }

    /// Prints `text` and a newline on stderr.
    func printError(_ text: String) { writeError(Data((text + "\n").utf8)) }
}

/// Writes all of a buffer to a file descriptor, retrying short writes.
enum FileDescriptorWriter {
    static func write(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, base + offset, raw.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
