import ExeSystem
import ExeTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Issue 14, "Sharded runs": `exe-cli lease run --shards N` through the
/// built exe-cli against exe-sim. The copies are `cp --standalone` copies
/// of the synced base lease (execore/ssh_cp_command.go handleCpCommand
/// clones the source's disk; docs/content/cli-cp.md, and `cp <vm>
/// --standalone` in exe.dev/docs/standalone-vms); the sim copies the VM's
/// filesystem, so a copy sees the base's synced work tree without a sync
/// of its own, which the marker file below proves.
@Suite(.cliSimulator, .serialized, .timeLimit(.minutes(5)))
struct ShardedLeaseCLITests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulator trait") } }

    /// A suite that prints what it was told, reads a synced marker, writes
    /// a JUnit file and fails as shard 2.
    static let suite = """
        #!/bin/sh
        mkdir -p reports/nested
        echo "shard=$EXE_SHARD_INDEX total=$EXE_SHARD_TOTAL args=$* marker=$(cat marker.txt)"
        echo "diagnostic from $EXE_SHARD_INDEX" >&2
        failure=''
        [ "$EXE_SHARD_INDEX" = 2 ] && failure='<failure message="boom &amp; bust">expected 1, got 2</failure>'
        printf '<?xml version="1.0"?>\\n<testsuites><testsuite name="suite-%s" tests="9" time="0.25"><testcase name="case-%s">%s</testcase><testcase name="skip-%s"><skipped/></testcase></testsuite></testsuites>\\n' \\
            "$EXE_SHARD_INDEX" "$EXE_SHARD_INDEX" "$failure" "$EXE_SHARD_INDEX" > "reports/nested/junit-$EXE_SHARD_INDEX.xml"
        echo 'not xml' > reports/notes.txt
        [ "$EXE_SHARD_INDEX" = 2 ] && exit 3
        exit 0

        """

    func project(_ name: String) throws -> (directory: String, marker: String) {
        let directory = try sim.home.file("shards-\(name)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let marker = "m\(UInt32.random(in: 0...UInt32.max))"
        try marker.write(toFile: directory + "/marker.txt", atomically: true, encoding: .utf8)
        try Self.suite.write(toFile: directory + "/suite.sh", atomically: true, encoding: .utf8)
        return (directory, marker)
    }

    func run(_ arguments: [String], in directory: String, timeout: Duration = .seconds(240)) async throws -> ProcessOutput {
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        return try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: try sim.environment(), workingDirectory: directory, standardInput: Data(), timeout: timeout))
    }

    func vmNames() async throws -> Set<String> {
        let listed = try await sim.run(["vm", "ls", "--json"])
        try #require(listed.status == 0, "\(listed.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])
        return Set((list["vms"] as? [[String: Any]] ?? []).compactMap { $0["vm_name"] as? String })
    }

    func claimFiles() throws -> [String] {
        let claims = try sim.home.file("state/exe/leases")
        return ((try? FileManager.default.contentsOfDirectory(atPath: claims)) ?? []).filter { $0.hasSuffix(".json") }
    }

    @Test("--shards 3 with shard 2 failing: exit 3, {index}/{total} and EXE_SHARD_* reach every shard, the merged JUnit holds the failure, every lease is removed")
    func failingShard() async throws {
        let (directory, marker) = try project("fail")
        let before = try await vmNames()
        let result = try await run(
            ["lease", "run", "--shards", "3", "--junit", "reports/*.xml", "--", "sh", "suite.sh", "--shard={index}/{total}", "plain"], in: directory)
        #expect(result.status == 3, "the lowest failing shard's status: \(result.stderr)")
        for index in 1...3 {
            #expect(
                result.stdout.contains("[\(index)/3] shard=\(index) total=3 args=--shard=\(index)/3 plain marker=\(marker)\n"),
                "shard \(index)'s line, prefixed, with its placeholders, its environment and the synced marker: \(result.stdout)")
            #expect(result.stderr.contains("[\(index)/3] diagnostic from \(index)\n"), "\(result.stderr)")
        }
        // Every line is prefixed: nothing of the command's output is bare.
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[") }, "\(result.stdout)")
        #expect(result.stderr.contains("2/3    failed (exit 3)"), "the summary row: \(result.stderr)")
        #expect(result.stderr.contains("1/3    passed") && result.stderr.contains("3/3    passed"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: " copy\n").count - 1 == 2, "two shards on copies: \(result.stderr)")
        #expect(result.stderr.contains("removed 3 leases"), "\(result.stderr)")
        #expect(result.stderr.contains("junit: 6 tests, 1 failure, 0 errors, 3 skipped in 3 suites"), "\(result.stderr)")

        let report = try String(contentsOfFile: directory + "/.exe/junit.xml", encoding: .utf8)
        let document = try XMLDocument(xmlString: report)
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "6" && root.attribute(forName: "failures")?.stringValue == "1", "\(report)")
        let suites = root.elements(forName: "testsuite")
        #expect(Set(suites.compactMap { $0.attribute(forName: "name")?.stringValue }) == ["suite-1", "suite-2", "suite-3"], "\(report)")
        let failed = try #require(suites.first { $0.attribute(forName: "name")?.stringValue == "suite-2" })
        let failure = try #require(failed.elements(forName: "testcase").first?.elements(forName: "failure").first, "\(report)")
        #expect(failure.attribute(forName: "message")?.stringValue == "boom & bust" && failure.stringValue == "expected 1, got 2")

        #expect(try await vmNames() == before, "the base and both copies are gone from the simulator's ls")
        #expect(try claimFiles().isEmpty, "no claim is left")

        // --quiet-shards: only the failing shard's output is printed, after the run.
        let quiet = try await run(["lease", "run", "--shards", "2", "--quiet-shards", "--", "sh", "suite.sh"], in: directory)
        #expect(quiet.status == 3, "\(quiet.stderr)")
        #expect(quiet.stdout.contains("[2/2] shard=2 total=2") && !quiet.stdout.contains("[1/2]"), "\(quiet.stdout)")
        #expect(try await vmNames() == before)
    }

    /// The files under `directory`, relative to it.
    static func files(under directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    @Test("--shards 3 --artifacts with shard 2 failing: every shard's files come back under .exe/artifacts/<run id>/shard-<i>/ before the copies are removed")
    func artifacts() async throws {
        let (directory, _) = try project("artifacts")
        let before = try await vmNames()
        let script = "mkdir -p out/deep && echo \"written by $EXE_SHARD_INDEX of $EXE_SHARD_TOTAL\" > out/deep/result.txt && echo log-$EXE_SHARD_INDEX > shard.log && [ $EXE_SHARD_INDEX != 2 ]"
        let result = try await run(["lease", "run", "--shards", "3", "--artifacts", "out", "*.log", "--", "sh", "-c", script], in: directory)
        #expect(result.status == 1, "shard 2's status: \(result.stderr)")
        #expect(result.stderr.contains("2/3    failed (exit 1)"), "\(result.stderr)")
        // The default directory: one run id under .exe/artifacts.
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/.exe/artifacts")) ?? []
        #expect(runs.count == 1 && runs.first?.hasPrefix("run_") == true, "\(runs) \(result.stderr)")
        let root = directory + "/.exe/artifacts/" + (runs.first ?? "?")
        #expect(Self.files(under: root) == (1...3).flatMap { ["shard-\($0)/out/deep/result.txt", "shard-\($0)/shard.log"] }, "\(result.stderr)")
        for index in 1...3 {
            let text = try? String(contentsOfFile: root + "/shard-\(index)/out/deep/result.txt", encoding: .utf8)
            #expect(text == "written by \(index) of 3\n", "shard \(index), the failing one too: \(text ?? "missing")")
            #expect((try? String(contentsOfFile: root + "/shard-\(index)/shard.log", encoding: .utf8)) == "log-\(index)\n")
            #expect(result.stderr.contains("[\(index)/3] artifacts: 2 files ("), "\(result.stderr)")
        }
        #expect(try await vmNames() == before, "no copy is left: \(result.stderr)")
        #expect(try claimFiles().isEmpty, "no claim is left")
    }

    /// `lease run --shards N --json`'s object, decoded with its documented keys.
    struct Summary: Decodable {
        struct Counts: Decodable, Equatable {
            let tests: Int
            let failures: Int
            let errors: Int
            let skipped: Int
        }
        struct Merged: Decodable {
            let tests: Int
            let failures: Int
            let suites: Int
            let report: String
        }
        struct Shard: Decodable {
            enum Status: String, Decodable { case passed, failed, interrupted, notStarted = "not_started", error }
            let index: Int
            let leaseID: String?
            let vm: String?
            let origin: String?
            let status: Status
            let exitCode: Int?
            let durationMs: Int
            let error: String?
            let junit: Counts?
            enum CodingKeys: String, CodingKey {
                case index, vm, origin, status, error, junit
                case leaseID = "lease_id", exitCode = "exit_code", durationMs = "duration_ms"
            }
        }
        let runID: String
        let total: Int
        let passed: Int
        let exitCode: Int
        let interrupted: Bool
        let durationMs: Int
        let shards: [Shard]
        let junit: Merged?
        let removed: [String]
        let kept: [String]
        enum CodingKeys: String, CodingKey {
            case total, passed, interrupted, shards, junit, removed, kept
            case runID = "run_id", exitCode = "exit_code", durationMs = "duration_ms"
        }
    }

    @Test("--shards 3 --json --junit: one snake_case object on stdout (run id, total, per shard index, vm, status, exit_code, duration_ms, junit counts); the shards' output on stderr")
    func jsonSummary() async throws {
        let (directory, marker) = try project("json")
        let before = try await vmNames()
        let result = try await run(["lease", "run", "--shards", "3", "--json", "--junit", "reports/*.xml", "--", "sh", "suite.sh"], in: directory)
        #expect(result.status == 3, "\(result.stderr)")
        // stdout is exactly one line, the object; the shards' stdout went to stderr, prefixed.
        #expect(result.stdout.hasSuffix("}\n") && result.stdout.split(separator: "\n").count == 1, "\(result.stdout)")
        #expect(result.stderr.contains("[2/3] shard=2 total=3 args= marker=\(marker)\n"), "\(result.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: result.standardOutput)
        #expect(summary.runID.hasPrefix("run_") && summary.runID.count == 16, "\(summary.runID)")
        #expect(summary.total == 3 && summary.passed == 2 && summary.exitCode == 3 && !summary.interrupted)
        #expect(summary.shards.map(\.index) == [1, 2, 3])
        #expect(summary.shards.map(\.status) == [.passed, .failed, .passed])
        #expect(summary.shards.map(\.exitCode) == [0, 3, 0])
        #expect(summary.shards.map(\.origin) == ["base", "copy", "copy"])
        #expect(Set(summary.shards.compactMap(\.vm)).count == 3, "three VMs: \(summary.shards.map(\.vm))")
        #expect(summary.shards.allSatisfy { $0.error == nil && $0.leaseID?.hasPrefix("lease_") == true })
        #expect(summary.shards.allSatisfy { $0.durationMs > 0 && $0.durationMs <= summary.durationMs })
        #expect(summary.shards.map(\.junit) == [
            .init(tests: 2, failures: 0, errors: 0, skipped: 1), .init(tests: 2, failures: 1, errors: 0, skipped: 1),
            .init(tests: 2, failures: 0, errors: 0, skipped: 1),
        ])
        #expect(summary.junit?.tests == 6 && summary.junit?.failures == 1 && summary.junit?.suites == 3)
        #expect(summary.junit?.report == directory + "/.exe/junit.xml")
        #expect(Set(summary.removed) == Set(summary.shards.compactMap(\.leaseID)) && summary.kept.isEmpty)
        // Keys are snake_case and always present: a shard without --junit says `"junit":null`.
        let plain = try await run(["lease", "run", "--shards", "1", "--json", "--quiet-shards", "--", "true"], in: directory)
        #expect(plain.status == 0, "\(plain.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: plain.standardOutput) as? [String: Any], "\(plain.stdout)")
        let shard = try #require((object["shards"] as? [[String: Any]])?.first)
        #expect(Set(shard.keys) == ["index", "lease_id", "vm", "origin", "status", "exit_code", "duration_ms", "error", "junit", "artifacts"])
        #expect(shard["junit"] is NSNull && object["junit"] is NSNull && shard["status"] as? String == "passed")
        #expect(try await vmNames() == before)
    }

    @Test("Ctrl-C during a sharded run interrupts every shard, copies each shard's artifacts back, exits 130 and removes the base and every copy")
    func interrupted() async throws {
        let sim = try sim
        let (directory, _) = try project("interrupt")
        let before = try await vmNames()
        let binary = try #require(CLIProcessTests.binary)
        let log = sim.home.file("shards-interrupt.log")
        let child = try ChildProcess.spawn(
            binary, ["lease", "run", "--shards", "3", "--artifacts", "started.txt", "--", "sh", "-c", "echo started-$EXE_SHARD_INDEX | tee started.txt; sleep 120"], environment: sim.environment(),
            workingDirectory: directory, stdout: .appendToFile(log), stderr: .appendToFile(log))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var started = false
        while !started, clock.now < deadline, child.exitStatusIfEnded() == nil {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            started = (1...3).allSatisfy { text.contains("[\($0)/3] started-\($0)") }
            if !started { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(started, "all three shards started: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(try await vmNames().count == before.count + 3, "a base and two copies exist while it runs")
        child.signal(SIGINT)
        let status = await child.exitStatus()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 130, "\(text)")
        #expect(text.components(separatedBy: "interrupted  ").count - 1 == 3, "every shard reported interrupted: \(text)")
        // Each interrupted shard's artifact came back before its lease was removed.
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/.exe/artifacts")) ?? []
        #expect(runs.count == 1, "\(runs)")
        for index in 1...3 {
            let copied = try? String(contentsOfFile: directory + "/.exe/artifacts/\(runs.first ?? "?")/shard-\(index)/started.txt", encoding: .utf8)
            #expect(copied == "started-\(index)\n", "shard \(index): \(text)")
        }
        #expect(try await vmNames() == before, "no copy is left: \(text)")
        #expect(try claimFiles().isEmpty)
    }

    @Test("--shards options are checked before anything acts, and --help shows them")
    func validation() async throws {
        let (directory, _) = try project("usage")
        let before = try await vmNames()
        let cases: [([String], String)] = [
            (["--shards", "0", "--", "true"], "--shards must be between 1 and 64"),
            (["--shards", "65", "--", "true"], "--shards must be between 1 and 64"),
            (["--junit", "r/*.xml", "--", "true"], "--junit needs --shards"),
            (["--quiet-shards", "--", "true"], "--quiet-shards needs --shards"),
            (["--shards", "2", "--junit", "/etc/*.xml", "--", "true"], "relative to the remote work directory"),
            (["--shards", "2", "--junit", "../x.xml", "--", "true"], "no .."),
            (["--shards", "2", "--junit-out", "x.xml", "--", "true"], "--junit-out needs --junit"),
            (["--shards", "2", "--sync-only"], "--sync-only and --shards"),
            (["--shards", "2", "--timing-json", "t.json", "--", "true"], "--timing-json"),
        ]
        for (arguments, message) in cases {
            let result = try await run(["lease", "run"] + arguments, in: directory, timeout: .seconds(60))
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let help = try await run(["lease", "run", "--shards", "4", "--help"], in: directory, timeout: .seconds(60))
        #expect(help.status == 0 && help.stdout.contains("--shards <N>") && help.stdout.contains("--junit <GLOB>"), "\(help.stdout)")
        #expect(try await vmNames() == before, "nothing was created")
        #expect(try claimFiles().isEmpty)
    }
}
