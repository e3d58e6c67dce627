@testable import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Work tree sync over a real sshd")
struct WorkTreeSyncTests {
    /// A git repository with tracked, untracked, ignored and excluded files.
    static func makeRepository(in directory: TemporaryDirectory) async throws -> String {
        let root = directory.file("repo")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let runner = LocalProcessRunner()
        try await runner.check(ProcessInvocation("git", ["init", "-q", root]))
        try directory.write("repo/README.md", "# hello\n")
        try directory.write("repo/Sources/app/main.swift", "print(\"hi\")\n")
        try directory.write("repo/scripts/run.sh", "#!/bin/sh\necho run\n", mode: 0o755)
        try directory.write("repo/.gitignore", "*.log\n")
        try directory.write("repo/.exeignore", "secrets/\nvendor.bin\n")
        try directory.write("repo/vendor.bin", "tracked, but excluded by .exeignore\n")
        try directory.write("repo/secrets/token", "do-not-send\n")
        try directory.write("repo/debug.log", "ignored by git\n")
        try directory.write("repo/node_modules/pkg/index.js", "untracked dependency\n")
        try directory.write("repo/.cache/tracked.txt", "tracked inside a built-in exclude\n")
        try directory.write("repo/untracked.txt", "new file\n")
        try directory.write("repo/data/blob.bin", String(repeating: "0123456789", count: 50_000))
        try await runner.check(ProcessInvocation("git", ["-C", root, "add", "README.md", "Sources", "scripts", ".gitignore", ".exeignore", "data", "vendor.bin", "-f", ".cache/tracked.txt"]))
        return root
    }

    func remoteFiles(_ root: String) -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[path] = FileManager.default.contents(atPath: root + "/" + path) ?? Data() }
        }
        return files
    }

    @Test("initial sync, no-op resync, an incremental change, remote edits and deletions")
    func lifecycle() async throws {
        try await withServer { server in
            let local = try await Self.makeRepository(in: server.directory)
            let connection = try await server.connect()
            let remote = server.directory.file("vm/work/repo")
            let sync = WorkTreeSync(connection: connection, localRoot: local, remoteDirectory: remote)
            let options = SyncOptions(cacheDirectory: server.directory.file("cache"))

            let warnings = WarningLog()
            let first = try await sync.run(options, warn: { warnings.append($0) })
            #expect(first.filesSent == 8)
            #expect(warnings.all == ["not syncing 1 tracked file(s) excluded by .exeignore or not regular files: vendor.bin"], "a tracked file is never dropped silently")
            var files = remoteFiles(remote)
            #expect(Set(files.keys) == ["README.md", "Sources/app/main.swift", "scripts/run.sh", ".gitignore", ".exeignore", ".cache/tracked.txt", "untracked.txt", "data/blob.bin"])
            #expect(files["data/blob.bin"]?.count == 500_000)
            let mode = try FileManager.default.attributesOfItem(atPath: remote + "/scripts/run.sh")[.posixPermissions] as? Int
            #expect(mode == 0o755)

            let second = try await sync.run(options)
            #expect(second.upToDate)
            #expect(second.bytesSent == 0)

            try server.directory.write("repo/README.md", "# hello again\n")
            try server.directory.write("repo/Sources/app/extra.swift", "let x = 1\n")
            try FileManager.default.removeItem(atPath: local + "/untracked.txt")
            // A file the tool did not sync (a build output on the VM) must survive.
            try server.directory.write("vm/work/repo/build-output.o", "made on the VM\n")
            let third = try await sync.run(options)
            #expect(third.filesSent == 2)
            #expect(third.filesDeleted == 1)
            #expect(third.bytesSent < 10_000, "only the changed files travel: \(third.bytesSent) bytes")
            files = remoteFiles(remote)
            #expect(files["README.md"] == Data("# hello again\n".utf8))
            #expect(files["Sources/app/extra.swift"] != nil)
            #expect(files["untracked.txt"] == nil)
            #expect(files["build-output.o"] == Data("made on the VM\n".utf8))

            // A command on the VM edits and removes synced files: the next sync restores them.
            try server.directory.write("vm/work/repo/README.md", "edited on the VM\n")
            try FileManager.default.removeItem(atPath: remote + "/Sources/app/main.swift")
            let fourth = try await sync.run(options)
            #expect(fourth.filesSent == 2)
            files = remoteFiles(remote)
            #expect(files["README.md"] == Data("# hello again\n".utf8))
            #expect(files["Sources/app/main.swift"] == Data("print(\"hi\")\n".utf8))

            // Without the local manifest cache (another machine), the VM's manifest is read.
            try FileManager.default.removeItem(atPath: server.directory.file("cache"))
            try server.directory.write("repo/README.md", "# third edit\n")
            let fifth = try await sync.run(options)
            #expect(fifth.filesSent == 1)
        }
    }

    @Test("--checksum catches an edit that keeps size and modification time")
    func checksum() async throws {
        try await withServer { server in
            let local = try await Self.makeRepository(in: server.directory)
            let connection = try await server.connect()
            let remote = server.directory.file("vm/work/repo")
            let sync = WorkTreeSync(connection: connection, localRoot: local, remoteDirectory: remote)
            let options = SyncOptions(cacheDirectory: server.directory.file("cache"))
            _ = try await sync.run(options)
            let path = local + "/README.md"
            var info = stat()
            #expect(lstat(path, &info) == 0)
            try Data("# HELLO\n".utf8).write(to: URL(fileURLWithPath: path))
            var times = [info.st_atim, info.st_mtim]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            #expect(try await sync.run(options).upToDate, "size and time unchanged: the quick check trusts them")
            var checked = options
            checked.checksum = true
            let report = try await sync.run(checked)
            #expect(report.filesSent == 1)
            #expect(FileManager.default.contents(atPath: remote + "/README.md") == Data("# HELLO\n".utf8))
        }
    }

    @Test("an interrupted sync leaves the tree whole (as it was, or as the sync made it when the archive had all arrived), and the next sync completes")
    func interrupted() async throws {
        try await withServer { server in
            let local = try await Self.makeRepository(in: server.directory)
            let connection = try await server.connect()
            let remote = server.directory.file("vm/work/repo")
            let sync = WorkTreeSync(connection: connection, localRoot: local, remoteDirectory: remote)
            let options = SyncOptions(cacheDirectory: server.directory.file("cache"))
            _ = try await sync.run(options)
            let before = remoteFiles(remote)

            try server.directory.write("repo/README.md", "# changed\n")
            try server.directory.write("repo/data/huge.bin", String(repeating: "z", count: 200_000_000))
            let task = Task { try await sync.run(options) }
            // Cut the connection once the archive is being extracted. The watch
            // runs on a thread of its own, polling every 2 ms: on the cooperative
            // pool of a loaded machine (CI runs 26 and 28) it was late enough for
            // the whole 200 MB to arrive first.
            let state = server.directory.file("vm/work/.exe-sync/repo")
            let cut = DispatchSemaphore(value: 0)
            Thread {
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    let stages = (try? FileManager.default.contentsOfDirectory(atPath: state)) ?? []
                    if let stage = stages.first(where: { $0.hasPrefix("stage.") }),
                        let size = try? FileManager.default.attributesOfItem(atPath: "\(state)/\(stage)/files/data/huge.bin")[.size] as? Int,
                        size > 1_000_000
                    { break }
                    usleep(2_000)
                }
                for pid in server.sessionPIDs { kill(pid, SIGKILL) }
                cut.signal()
            }.start()
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    cut.wait()
                    continuation.resume()
                }
            }
            await #expect(throws: (any Error).self) { try await task.value }
            // The remote script outlives its killed session: let it finish (tar
            // reads the end of its input and gives up, removing the stage; or, had
            // the whole archive arrived, sync.sh applies it, its journaled
            // `pending` step). Then the tree is whole: as before, or as synced.
            let settled = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < settled {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: state)) ?? []
                if !entries.contains(where: { $0.hasPrefix("stage.") || $0 == "pending" }) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let after = remoteFiles(remote)
            let applied = after["README.md"] == Data("# changed\n".utf8)
            if applied {
                #expect(after.count == before.count + 1 && after["data/huge.bin"]?.count == 200_000_000, "\(after.mapValues(\.count))")
            } else {
                #expect(after == before, "the tree is exactly as before the interrupted sync")
            }

            let fresh = try await server.connect()
            let retry = WorkTreeSync(connection: fresh, localRoot: local, remoteDirectory: remote)
            let report = try await retry.run(options)
            #expect(report.filesSent == (applied ? 0 : 2))
            #expect(remoteFiles(remote)["README.md"] == Data("# changed\n".utf8))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: server.directory.file("vm/work/.exe-sync/repo")).filter { $0.hasPrefix("stage.") || $0 == "pending" }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("guardrails: a warning above the warn limits, a refusal above the fail limits unless allowed")
    func guardrails() async throws {
        try await withServer { server in
            let local = try await Self.makeRepository(in: server.directory)
            let connection = try await server.connect()
            let sync = WorkTreeSync(connection: connection, localRoot: local, remoteDirectory: server.directory.file("vm/work/repo"))
            var options = SyncOptions(cacheDirectory: server.directory.file("cache"))
            options.failFiles = 3
            let error = await #expect(throws: LeaseError.self) { try await sync.run(options) }
            #expect(error?.kind == .tooLarge)
            #expect(!FileManager.default.fileExists(atPath: server.directory.file("vm/work/repo/README.md")), "nothing was sent")
            options.allowLarge = true
            options.warnBytes = 1000
            let warnings = WarningLog()
            let report = try await sync.run(options) { warnings.append($0) }
            #expect(report.filesSent == 8)
            #expect(warnings.all.filter { $0.hasPrefix("syncing ") }.count == 1, "\(warnings.all)")
        }
    }

    @Test("a directory that is not a git repository is walked")
    func plainDirectory() async throws {
        try await withServer { server in
            try server.directory.write("plain/a.txt", "a\n")
            try server.directory.write("plain/sub/b.txt", "b\n")
            try server.directory.write("plain/node_modules/x.js", "skip\n")
            let connection = try await server.connect()
            let remote = server.directory.file("vm/plain")
            let report = try await WorkTreeSync(connection: connection, localRoot: server.directory.file("plain"), remoteDirectory: remote)
                .run(SyncOptions(cacheDirectory: server.directory.file("cache")))
            #expect(report.filesSent == 2)
            #expect(Set(remoteFiles(remote).keys) == ["a.txt", "sub/b.txt"])
        }
    }
}

final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

