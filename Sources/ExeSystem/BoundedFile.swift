public import Foundation

/// Reads a file that exe does not control (`~/.ssh/config`, `known_hosts`)
/// only up to a limit, so a huge file costs a bounded amount of memory and
/// time instead of being read whole.
public enum BoundedFile {
    /// What reading found.
    public enum Contents: Sendable, Equatable {
        /// No such file, or it cannot be read.
        case missing
        /// The file is longer than the limit; nothing of it was kept.
        case tooLarge(limit: Int)
        /// The whole file.
        case data(Data)
    }

    /// The contents of `path` if it is at most `limit` bytes long.
    public static func read(_ path: String, limit: Int) -> Contents {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .missing }
        defer { try? handle.close() }
        // One byte more than the limit tells a file of exactly `limit`
        // bytes from a longer one without reading the rest.
        // `read(upToCount:)` returns nil at the end of the file: an empty file.
        let data: Data
        do { data = try handle.read(upToCount: max(0, limit) + 1) ?? Data() } catch { return .missing }
        return data.count > limit ? .tooLarge(limit: limit) : .data(data)
    }
}
