import ExeSSH
import ExeSystem
import Foundation

/// Where a sharded run looks for the JUnit XML its shards wrote
/// (`lease run --junit GLOB`): a glob relative to the remote work
/// directory, matched as `find -path` does (so `*` also matches across
/// directories: `reports/*.xml` finds `reports/a/b.xml` too).
public struct JUnitPattern: Sendable, Equatable {
    /// The largest file read; larger ones are named and left out.
    public static let maximumFileBytes = 16 << 20
    /// The most files read from one shard.
    public static let maximumFiles = 1000

    /// The glob, without a leading `./`.
    public let text: String

    /// Checks `text`: relative, inside the work directory (no `..`), not empty.
    public init(_ text: String) throws(LeaseError) {
        var glob = text
        while glob.hasPrefix("./") { glob.removeFirst(2) }
        guard !glob.isEmpty else { throw LeaseError(.configuration, "--junit: give a glob such as reports/*.xml") }
        guard !glob.hasPrefix("/") else { throw LeaseError(.configuration, "--junit \(text): the glob is relative to the remote work directory") }
        guard !glob.split(separator: "/").contains("..") else { throw LeaseError(.configuration, "--junit \(text): the glob must stay inside the work directory (no ..)") }
        guard !glob.unicodeScalars.contains(where: { $0.value < 0x20 }) else { throw LeaseError(.configuration, "--junit: the glob has a control character") }
        self.text = glob
    }

    /// The directory `find` starts in: the glob's leading components that
    /// have no wildcard (`.` when the first one has).
    var startDirectory: String {
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        let literal = parts.prefix { !$0.contains(where: { "*?[\\".contains($0) }) }
        return literal.isEmpty ? "." : "./" + literal.joined(separator: "/")
    }

    /// The shell command that lists matching regular files under
    /// `workDirectory` as `SIZE PATH\0` records (every word quoted; an absent
    /// work or start directory lists nothing).
    func listCommand(workDirectory: String) -> ShellCommand {
        let nothing = ShellCommand("exit", "0")
        return ShellCommand("cd", workDirectory).discardingErrors().or(nothing)
            .then(ShellCommand("test", "-d", startDirectory).or(nothing))
            .then(ShellCommand("find", startDirectory, "-type", "f", "-path", "./" + text, "-printf", "%s %p\\0"))
    }

    /// Parses ``listCommand(workDirectory:)``'s output into (path, size).
    static func parseListing(_ data: Data) -> [(path: String, size: Int)] {
        data.split(separator: 0).compactMap { record in
            let text = String(decoding: record, as: UTF8.self)
            guard let space = text.firstIndex(of: " "), let size = Int(text[..<space]) else { return nil }
            var path = String(text[text.index(after: space)...])
            if path.hasPrefix("./") { path.removeFirst(2) }
            return (path, size)
        }
    }

    /// Reads the matching files from `host`, each labelled `shard I: PATH`.
    /// Files over ``maximumFileBytes`` (and past ``maximumFiles``) are
    /// named in the problems, not read.
    func collect(from host: any RemoteHost, workDirectory: String, shard: Int) async -> (files: [JUnitSource], problems: [String]) {
        var files: [JUnitSource] = []
        var problems: [String] = []
        let listing: CommandResult
        do {
            listing = try await host.run(listCommand(workDirectory: workDirectory), timeout: .seconds(60))
        } catch {
            return ([], ["shard \(shard): listing \(text) failed: \(error)"])
        }
        guard listing.succeeded else {
            return ([], ["shard \(shard): listing \(text) failed (\(listing.status)): \(listing.stderr.prefix(300))"])
        }
        let found = Self.parseListing(listing.standardOutput).sorted { $0.path < $1.path }
        if found.count > Self.maximumFiles {
            problems.append("shard \(shard): \(found.count) files match \(text); only the first \(Self.maximumFiles) are read")
        }
        for file in found.prefix(Self.maximumFiles) {
            let label = "shard \(shard): \(file.path)"
            guard file.size <= Self.maximumFileBytes else {
                problems.append("\(label): \(file.size) bytes, over the \(Self.maximumFileBytes >> 20) MiB limit; left out")
                continue
            }
            let path = (workDirectory as NSString).appendingPathComponent(file.path)
            do {
                let read = try await host.run(ShellCommand("head", "-c", String(Self.maximumFileBytes + 1), "--", path), timeout: .seconds(60))
                guard read.succeeded, read.standardOutput.count <= Self.maximumFileBytes else {
                    problems.append("\(label): could not be read (\(read.status)) or grew past the limit")
                    continue
                }
                files.append(JUnitSource(label: label, data: read.standardOutput))
            } catch {
                problems.append("\(label): could not be read: \(error)")
            }
        }
        return (files, problems)
    }
}
