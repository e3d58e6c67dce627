public import ExeSSH
import Foundation
public import ExeSystem

/// Settings of one sync.
public struct SyncOptions: Sendable {
    /// Compare content for every file, not just size and modification time.
    public var checksum = false
    /// More ignore patterns (gitignore syntax), after `.exeignore`.
    public var excludePatterns: [String] = []
    /// Warn above this many files.
    public var warnFiles = 50_000
    /// Warn above this many bytes.
    public var warnBytes: Int64 = 5 << 30
    /// Refuse above this many files unless ``allowLarge``.
    public var failFiles = 150_000
    /// Refuse above this many bytes unless ``allowLarge``.
    public var failBytes: Int64 = 20 << 30
    /// Sync even past the refusal limits.
    public var allowLarge = false
    /// Gzip the stream (level 1). Source trees shrink several-fold, and
    /// libssh2 1.10 encrypts at only tens of MB/s.
    public var compress = true
    /// Where manifests of past syncs are cached locally (by digest).
    public var cacheDirectory: String

    /// Creates options; the cache defaults to `$XDG_CACHE_HOME/exe/sync`.
    public init(cacheDirectory: String? = nil) {
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.cache")
        self.cacheDirectory = cacheDirectory ?? cache + "/exe/sync"
    }
}

/// What a sync did.
public struct SyncReport: Sendable, Codable, Equatable {
    /// Files in the local file list.
    public var filesConsidered: Int
    /// Files sent (new or changed).
    public var filesSent: Int
    /// Files deleted on the VM.
    public var filesDeleted: Int
    /// Bytes that went over the connection (the archive).
    public var bytesSent: Int64
    /// Whether nothing needed to change.
    public var upToDate: Bool
    /// Wall time in milliseconds.
    public var milliseconds: Int
    /// Milliseconds per phase: `list` (local files), `probe` (the VM's
    /// state), `plan` (comparing and hashing), `transfer` (stream and apply).
    public var phases: [String: Int] = [:]
}

/// Makes a directory on a VM hold exactly the local work tree, over an
/// existing SSH connection, without rsync: one round trip to learn the VM's
/// state, then (if anything changed) one stream carrying only the changed
/// files, applied atomically.
public struct WorkTreeSync: Sendable {
    /// The local root.
    public let localRoot: String
    /// The directory on the VM.
    public let remoteDirectory: String
    /// Where the VM keeps this tree's sync state.
    public let metaDirectory: String
    private let connection: any RemoteHost
    private let runner: any ProcessRunner

    /// Creates a sync of `localRoot` to `remoteDirectory` on `connection`'s host.
    /// The state lives in a sibling `.exe-sync/<name>` directory on the VM.
    public init(connection: any RemoteHost, localRoot: String, remoteDirectory: String, runner: any ProcessRunner = LocalProcessRunner()) {
        self.connection = connection
        self.localRoot = localRoot
        self.remoteDirectory = remoteDirectory
        let parent = (remoteDirectory as NSString).deletingLastPathComponent
        let name = (remoteDirectory as NSString).lastPathComponent
        self.metaDirectory = (parent.isEmpty ? "." : parent) + "/.exe-sync/" + name
        self.runner = runner
    }

    /// Runs the sync.
    ///
    /// - Parameters:
    ///   - options: how to compare files, what else to ignore, and the size guardrails.
    ///   - warn: receives guardrail warnings for the user.
    public func run(_ options: SyncOptions = SyncOptions(), warn: @Sendable (String) -> Void = { _ in }) async throws -> SyncReport {
        let clock = ContinuousClock()
        let start = clock.now
        var phases: [String: Int] = [:]
        let rules = SyncIgnoreRules.load(root: localRoot, extraPatterns: options.excludePatterns)
        let root = localRoot
        let runner = self.runner
        async let listing = { () async throws -> (WorkTreeListing, Int) in
            let begin = ContinuousClock.now
            let listing = try await WorkTreeListing.list(root: root, rules: rules, runner: runner)
            return (listing, Self.milliseconds(ContinuousClock.now - begin))
        }()
        async let probeResult = { [connection, remoteDirectory, metaDirectory] () async throws -> (CommandResult, Int) in
            let begin = ContinuousClock.now
            let result = try await connection.run(RemoteSyncScript.probe(work: remoteDirectory, meta: metaDirectory), timeout: .seconds(120))
            return (result, Self.milliseconds(ContinuousClock.now - begin))
        }()
        let (listed, listTime) = try await listing
        let files = listed.files
        if !listed.skippedTracked.isEmpty {
            // Tracked files are never dropped silently.
            let examples = listed.skippedTracked.prefix(3).joined(separator: ", ")
            let more = listed.skippedTracked.count > 3 ? ", ..." : ""
            warn("not syncing \(listed.skippedTracked.count) tracked file(s) excluded by .exeignore or not regular files: \(examples)\(more)")
        }
        if !listed.skippedSecrets.isEmpty {
            let examples = listed.skippedSecrets.prefix(5).joined(separator: ", ")
            let more = listed.skippedSecrets.count > 5 ? ", ..." : ""
            warn(
                "not a git work tree: not syncing \(listed.skippedSecrets.count) secret-looking path(s): \(examples)\(more) (a `!NAME` line in .exeignore syncs one)")
        }
        let (probe, probeTime) = try await probeResult
        phases["list"] = listTime
        phases["probe"] = probeTime
        let state = try RemoteSyncState.parse(probe)
        let planStart = clock.now

        let totalBytes = files.reduce(Int64(0)) { $0 + $1.size }
        if files.count > options.failFiles || totalBytes > options.failBytes, !options.allowLarge {
            throw LeaseError(.tooLarge, "refusing to sync \(files.count) files (\(totalBytes >> 20) MiB): above the limit of \(options.failFiles) files or \(options.failBytes >> 30) GiB; add patterns to .exeignore or allow a large sync")
        }
        if files.count > options.warnFiles || totalBytes > options.warnBytes {
            warn("syncing \(files.count) files (\(totalBytes >> 20) MiB); consider adding build outputs to .exeignore")
        }

        var previous: SyncManifest?
        if let digest = state.manifestDigest {
            previous = try await manifest(digest: digest, cacheDirectory: options.cacheDirectory)
        }
        let plan = try SyncPlan.make(local: files, previous: previous, dirty: state.dirtyPaths, checksum: options.checksum) {
            try FileDigest.compute(root: root, file: $0)
        }
        phases["plan"] = Self.milliseconds(clock.now - planStart)
        if plan.uploads.isEmpty, plan.deletions.isEmpty, plan.touched == 0, state.isClean, previous != nil {
            return SyncReport(filesConsidered: files.count, filesSent: 0, filesDeleted: 0, bytesSent: 0, upToDate: true, milliseconds: Self.milliseconds(clock.now - start), phases: phases)
        }
        let transferStart = clock.now

        let archive = TarArchiveStream(root: localRoot, plan: plan)
        let compressed = options.compress ? CompressedStream(archive) : nil
        let input: CommandInput = compressed.map { .sequence($0) } ?? .sequence(archive)
        let script = RemoteSyncScript.apply(work: remoteDirectory, meta: metaDirectory, compressed: options.compress)
        let result = try await connection.run(script, stdin: input, timeout: .seconds(3600))
        guard result.succeeded, result.stdout.contains("APPLIED") else {
            let detail = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
            if result.stdout.hasPrefix("MISSING ") {
                throw LeaseError(.missingTool, "the VM lacks `\(result.stdout.dropFirst(8).trimmingCharacters(in: .whitespacesAndNewlines))`, which the sync needs")
            }
            throw LeaseError(.remoteState, "applying the sync on the VM failed (\(result.status)): \(detail.suffix(500))")
        }
        if let manifest = archive.manifest { try? cache(manifest, in: options.cacheDirectory) }
        phases["transfer"] = Self.milliseconds(clock.now - transferStart)
        return SyncReport(
            filesConsidered: files.count, filesSent: plan.uploads.count, filesDeleted: plan.deletions.count,
            bytesSent: compressed?.bytesProduced ?? archive.bytesProduced, upToDate: false, milliseconds: Self.milliseconds(clock.now - start), phases: phases)
    }

    private func manifest(digest: String, cacheDirectory: String) async throws -> SyncManifest {
        let path = cacheDirectory + "/" + digest + ".manifest"
        if let data = FileManager.default.contents(atPath: path), SHA256Hasher.hexDigest(data) == digest {
            return try SyncManifest.decode(data)
        }
        let result = try await connection.run(RemoteSyncScript.readManifest(meta: metaDirectory), timeout: .seconds(120), check: true)
        let manifest = try SyncManifest.decode(result.standardOutput)
        try? cache(manifest, in: cacheDirectory)
        return manifest
    }

    private func cache(_ manifest: SyncManifest, in directory: String) throws {
        try AtomicFile.write(manifest.encoded(), to: directory + "/" + manifest.digest + ".manifest", mode: 0o600)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.inMilliseconds)
    }
}

/// The VM's answer to the sync probe.
struct RemoteSyncState: Sendable {
    var manifestDigest: String?
    var isClean: Bool
    /// Synced files changed or removed on the VM since the last sync.
    var dirtyPaths: Set<String>

    static func parse(_ result: CommandResult) throws -> RemoteSyncState {
        let data = result.standardOutput
        guard result.succeeded else {
            let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("MISSING ") {
                throw LeaseError(.missingTool, "the VM lacks `\(text.dropFirst(8))`, which the sync needs")
            }
            throw LeaseError(.remoteState, "reading the sync state on the VM failed (\(result.status)): \((text + result.stderr).suffix(500))")
        }
        var reader = LineReader(data)
        guard let line = reader.line(), line.hasPrefix("STATE ") else {
            throw LeaseError(.remoteState, "unexpected answer from the VM's sync probe: \(result.stdout.prefix(200))")
        }
        let words = line.split(separator: " ").map(String.init)
        switch words.count >= 2 ? words[1] : "" {
        case "none":
            return RemoteSyncState(manifestDigest: nil, isClean: false, dirtyPaths: [])
        case "clean" where words.count == 3:
            return RemoteSyncState(manifestDigest: words[2], isClean: true, dirtyPaths: [])
        case "dirty" where words.count == 3:
            let expected = try reader.block("EXPECTED")
            let current = try reader.block("CURRENT")
            return RemoteSyncState(manifestDigest: words[2], isClean: false, dirtyPaths: Self.differences(expected, current))
        default:
            throw LeaseError(.remoteState, "unexpected answer from the VM's sync probe: \(line)")
        }
    }

    /// Paths whose `stat` record changed or vanished.
    static func differences(_ expected: Data, _ current: Data) -> Set<String> {
        func records(_ data: Data) -> [String: Substring] {
            var map: [String: Substring] = [:]
            for record in data.split(separator: 0) {
                let text = String(decoding: record, as: UTF8.self)
                let fields = text.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
                guard fields.count == 5 else { continue }
                map[String(fields[4])] = text[fields[0].startIndex..<fields[3].endIndex]
            }
            return map
        }
        let before = records(expected)
        let after = records(current)
        return Set(before.compactMap { path, stat in after[path] == stat ? nil : path })
    }
}

/// Reads `\n`-terminated lines and length-prefixed blocks from bytes.
struct LineReader {
    private let data: Data
    private var offset: Data.Index

    init(_ data: Data) {
        self.data = data
        self.offset = data.startIndex
    }

    mutating func line() -> String? {
        guard offset < data.endIndex else { return nil }
        let end = data[offset...].firstIndex(of: 0x0A) ?? data.endIndex
        let text = String(decoding: data[offset..<end], as: UTF8.self)
        offset = min(data.endIndex, end + 1)
        return text
    }

    mutating func block(_ label: String) throws -> Data {
        guard let header = line(), header.hasPrefix(label + " "), let count = Int(header.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces)),
            data.distance(from: offset, to: data.endIndex) >= count
        else { throw LeaseError(.remoteState, "the VM's sync probe sent a malformed \(label) block") }
        let end = data.index(offset, offsetBy: count)
        defer { offset = end }
        return data[offset..<end]
    }
}
