public import Foundation
import ExeSystem

/// A fresh directory under the system temporary directory, removed by
/// ``remove()``.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates the directory; `prefix` makes leftovers easy to attribute.
    public init(prefix: String = "exe-test") throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let template = "\(base)/\(prefix).XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else {
            throw NSError(domain: "TemporaryDirectory", code: Int(errno))
        }
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` joined with `name`.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` inside the directory and returns the path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        chmod(target, mode_t(mode))
        return target
    }

    /// Makes `name` inside the directory a git repository holding `files`
    /// (relative path to text), every one added to the index, and returns
    /// its path: the work tree a sync or a lease takes.
    public func gitRepository(_ name: String, files: [String: String]) async throws -> String {
        let root = file(name)
        let runner = LocalProcessRunner()
        try await runner.check(ProcessInvocation("git", ["init", "-q", root]))
        for (path, text) in files { try write(name + "/" + path, text) }
        try await runner.check(ProcessInvocation("git", ["-C", root, "add", "."]))
        return root
    }

    /// Deletes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Random bytes, quickly (eight at a time), for payload tests.
public func randomBytes(_ count: Int) -> Data {
    var generator = SystemRandomNumberGenerator()
    var words = [UInt64](repeating: 0, count: (count + 7) / 8)
    for index in words.indices { words[index] = generator.next() }
    return words.withUnsafeBytes { Data($0.prefix(count)) }
}
