import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation

/// Compares ExeLease's work-tree sync with `rsync -az -e ssh` on a generated
/// tree (5,000 files, about 60 MB): initial sync, a no-op resync, and a
/// change to 10 files, in one run against one loopback sshd.
///
/// Usage: `swift run -c release sync-benchmark [--files N] [--megabytes M]`
@main
struct SyncBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return fallback }
            return Int(arguments[index + 1]) ?? fallback
        }
        let fileCount = value("--files", 5000)
        let megabytes = value("--megabytes", 60)

        let server = try await LoopbackSSHServer.start()
        defer { server.cleanUp() }
        let tree = server.directory.file("tree")
        let bytes = try generateTree(at: tree, files: fileCount, totalBytes: megabytes << 20)
        print("sync-benchmark: \(fileCount) files, \(bytes >> 20) MiB, against OpenSSH sshd on 127.0.0.1:\(server.port)")

        let runner = LocalProcessRunner()
        let ssh = "ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=\(server.knownHostsPath) -o LogLevel=ERROR -i \(server.clientKey.privatePath) -p \(server.port)"
        let controlPath = server.directory.file("cm-%C")
        let sshMux = ssh + " -o ControlMaster=auto -o ControlPath=\(controlPath) -o ControlPersist=60"
        let clock = ContinuousClock()

        func rsync(_ shell: String, to target: String) async throws -> Duration {
            try await clock.measure {
                try await runner.check(ProcessInvocation("rsync", ["-az", "--delete", "-e", shell, tree + "/", "\(server.user)@127.0.0.1:\(target)/"]))
            }
        }

        var connection: SSHConnection?
        let remote = server.directory.file("vm/work/tree")
        let options = SyncOptions(cacheDirectory: server.directory.file("cache"))
        func exe() async throws -> (Duration, SyncReport) {
            var report: SyncReport?
            let time = try await clock.measure {
                if connection == nil { connection = try await server.connect() }
                report = try await WorkTreeSync(connection: connection!, localRoot: tree, remoteDirectory: remote).run(options)
            }
            return (time, report!)
        }

        var rows: [(String, Duration, Duration, Duration)] = []
        // Initial sync (ExeSSH's time includes connecting).
        let (exeInitial, initialReport) = try await exe()
        let rsyncInitial = try await rsync(ssh, to: server.directory.file("rsync-plain"))
        let muxInitial = try await rsync(sshMux, to: server.directory.file("rsync-mux"))
        rows.append(("initial sync", exeInitial, rsyncInitial, muxInitial))

        let (exeNoop, noopReport) = try await exe()
        let rsyncNoop = try await rsync(ssh, to: server.directory.file("rsync-plain"))
        let muxNoop = try await rsync(sshMux, to: server.directory.file("rsync-mux"))
        rows.append(("no-op resync", exeNoop, rsyncNoop, muxNoop))

        try touchFiles(in: tree, count: 10)
        let (exeChange, changeReport) = try await exe()
        let rsyncChange = try await rsync(ssh, to: server.directory.file("rsync-plain"))
        let muxChange = try await rsync(sshMux, to: server.directory.file("rsync-mux"))
        rows.append(("10 files changed", exeChange, rsyncChange, muxChange))
        _ = try? await runner.run(ProcessInvocation("sh", ["-c", sshMux + " -O exit \(server.user)@127.0.0.1 2>/dev/null"]))

        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        print("  scenario            ExeLease    rsync -e ssh   ratio    rsync+ControlMaster   ratio   (ratio = ExeLease time / rsync time)")
        for (name, exeTime, plain, mux) in rows {
            print(
                name.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + String(format: "  %8.3f s  %10.3f s   %5.2f   %12.3f s        %5.2f", seconds(exeTime), seconds(plain), seconds(exeTime) / seconds(plain), seconds(mux), seconds(exeTime) / seconds(mux)))
        }
        print("  ExeLease phases (ms): initial \(initialReport.phases), no-op \(noopReport.phases), change \(changeReport.phases)")
        print("  ExeLease sent: initial \(initialReport.bytesSent >> 10) KiB (\(initialReport.filesSent) files), no-op \(noopReport.bytesSent) B, change \(changeReport.bytesSent >> 10) KiB (\(changeReport.filesSent) files)")
        await connection?.close()
    }

    /// Writes `files` text-like files (source-code-ish, compressible) in nested directories.
    static func generateTree(at root: String, files: Int, totalBytes: Int) throws -> Int {
        let words = ["let", "var", "func", "return", "struct", "import", "if", "else", "for", "in", "self", "value", "count", "name", "path", "result", "error", "try", "await", "async"]
        var generator = SystemRandomNumberGenerator()
        var written = 0
        let average = totalBytes / files
        for index in 0..<files {
            let directory = "\(root)/module\(index % 40)/group\(index % 7)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let size = index % 100 == 0 ? average * 20 : Int.random(in: average / 4...average * 3 / 2, using: &generator)
            var text = ""
            text.reserveCapacity(size + 64)
            while text.utf8.count < size {
                text += words.randomElement(using: &generator)! + (Bool.random(using: &generator) ? " " : "\n") + String(UInt32.random(in: 0...99999, using: &generator)) + " "
            }
            try text.write(toFile: "\(directory)/file\(index).swift", atomically: false, encoding: .utf8)
            written += text.utf8.count
        }
        return written
    }

    static func touchFiles(in root: String, count: Int) throws {
        for index in 0..<count {
            let path = "\(root)/module\((index * 37) % 40)/group\((index * 37) % 7)/file\(index * 37).swift"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("// changed \(index)\n".utf8))
            try handle.close()
        }
    }
}
