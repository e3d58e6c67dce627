import ExeSSH
import ExeSystem
import Foundation

/// Files to bring back from the VM after a run's command (`lease run
/// --artifacts`), also when it failed or was interrupted.
public struct ArtifactRequest: Sendable {
    /// Shell globs relative to the remote work directory (`test-results`,
    /// `build/*.log`); a matching directory is taken whole.
    public var patterns: [String]
    /// Where the files go locally; `nil` is `<repository>/.exe/artifacts/<run id>`.
    public var directory: String?
    /// At most this many bytes in all; a larger set is refused before any file moves.
    public var maxBytes: Int64 = 1 << 30
    /// At most this many files.
    public var maxFiles = 10_000

    /// A request; ``validate(_:)`` the patterns first.
    public init(patterns: [String], directory: String? = nil) {
        self.patterns = patterns
        self.directory = directory
    }

    /// Refuses a pattern that is empty, absolute, or has a `..` component
    /// (a path must stay inside the work directory; symlinks that lead out
    /// of it are refused on the VM).
    public static func validate(_ pattern: String) throws {
        if pattern.isEmpty || pattern.hasPrefix("/") || pattern.hasPrefix("~") || pattern.split(separator: "/").contains("..")
            || pattern.contains("\0") || pattern.contains("\n")
        {
            throw LeaseError(.configuration, "artifact path \"\(pattern)\" must be relative to the work directory and stay inside it (no /, ~ or ..)")
        }
    }
}

/// What ``Leases`` brought back for an ``ArtifactRequest``.
public struct ArtifactReport: Sendable, Codable, Equatable {
    /// The local directory holding them.
    public var directory: String
    /// Files copied.
    public var files: Int
    /// Bytes copied.
    public var bytes: Int64
    /// Patterns that matched nothing.
    public var missing: [String]
    /// Patterns whose match leads out of the work directory (not copied).
    public var refused: [String]
}

/// Lists and copies a run's artifacts over the run's connection.
struct ArtifactCollector {
    let connection: any RemoteHost
    let remoteDirectory: String

    /// `Scripts/artifacts.sh`: lists on the VM, in the work directory, the
    /// regular files under each pattern's matches (symbolic links are not
    /// followed), with their sizes, as NUL-terminated records:
    /// `f<TAB>size<TAB>path`, `m<TAB>pattern` (no match), `x<TAB>pattern`
    /// (leads outside). The directory and the patterns are its arguments.
    static let listScript = ShellScript(name: "exe-artifacts", bytes: PackageResources.artifacts_sh)

    func collect(_ request: ArtifactRequest, into directory: String) async throws -> ArtifactReport {
        let command = Self.listScript.command([remoteDirectory] + request.patterns)
        let listing = try await connection.run(command, stdin: .none, timeout: .seconds(120), check: false)
        guard listing.succeeded else {
            throw LeaseError(.vm, "listing the artifacts failed (\(listing.status)): \(listing.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var files: [(path: String, size: Int64)] = []
        var report = ArtifactReport(directory: directory, files: 0, bytes: 0, missing: [], refused: [])
        var seen = Set<String>()
        for record in listing.standardOutput.split(separator: 0) {
            let fields = String(decoding: record, as: UTF8.self).split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "f" where fields.count == 3:
                guard let size = Int64(fields[1]), let path = Self.normalize(fields[2]), seen.insert(path).inserted else { continue }
                files.append((path, size))
            case "m" where fields.count == 2: report.missing.append(fields[1])
            case "x" where fields.count == 2: report.refused.append(fields[1])
            default: continue
            }
        }
        let total = files.reduce(Int64(0)) { $0 + $1.size }
        if files.count > request.maxFiles {
            throw LeaseError(.configuration, "the artifacts are \(files.count) files, more than the limit of \(request.maxFiles); nothing was copied")
        }
        if total > request.maxBytes {
            throw LeaseError(.configuration, "the artifacts are \(total) bytes, more than the limit of \(request.maxBytes); nothing was copied")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var copied: Int64 = 0
        for file in files {
            let data = try await connection.download(remoteDirectory + "/" + file.path, timeout: .seconds(300))
            copied += Int64(data.count)
            // A file that grew past the limit since it was listed stops the copy.
            if copied > request.maxBytes {
                throw LeaseError(.configuration, "the artifacts grew past the limit of \(request.maxBytes) bytes while being copied; \(report.files) files were copied to \(directory)")
            }
            let local = directory + "/" + file.path
            try FileManager.default.createDirectory(atPath: (local as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: local))
            report.files += 1
            report.bytes += Int64(data.count)
        }
        return report
    }

    /// `path` without `.` components, or `nil` when it is absolute, empty or
    /// has a `..` component (never written locally).
    static func normalize(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        let parts = path.split(separator: "/").filter { $0 != "." }
        if parts.isEmpty || parts.contains("..") { return nil }
        return parts.joined(separator: "/")
    }
}

extension Leases {
    /// Copies the artifacts of run `runID` on `claim` (see ``ArtifactRequest``).
    func collectArtifacts(_ request: ArtifactRequest, runID: String, claim: LeaseClaim, connection: any RemoteHost) async throws -> ArtifactReport {
        let directory = request.directory ?? context.repositoryRoot + "/.exe/artifacts/" + runID
        return try await ArtifactCollector(connection: connection, remoteDirectory: claim.remoteDirectory).collect(request, into: directory)
    }
}
