@testable import ExeLease
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 15: the shell that leases send to VMs is fixed script resources
/// (`Sources/ExeLease/Scripts/*.sh`) given their values as positional
/// arguments. Each script parses under `sh -n`, `dash -n` and `bash -n` and
/// passes ShellCheck; the command lines that run them parse too, also with
/// hostile words (quotes, `$`, backticks, spaces, newlines, a leading `-`)
/// in every place a value goes; and run for real with `/bin/sh`, every
/// value arrives as it was.
@Suite struct RemoteScriptSyntaxTests {
    static let hostileWords = ["plain", "two words", "it's", "$(reboot)", "`id`", "-rf", "a\nb", "\"quoted\"", "*", "~", "$HOME"]

    /// Every script ExeLease sends, by its resource file.
    static let scripts: [String: ShellScript] = [
        "sync.sh": RemoteSyncScript.script, "run.sh": RemoteCommand.runScript, "interrupt.sh": RemoteCommand.interruptScript,
        "artifacts.sh": ArtifactCollector.listScript,
    ]

    @Test("every script resource is listed here, and each parses and passes ShellCheck as it is embedded")
    func resourcesParse() async throws {
        #expect(LocalShell.scriptResources(module: "ExeLease") == Self.scripts.keys.sorted())
        let problems = try await ShellSyntax.problems(Array(Self.scripts.values))
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }

    @Test("the command lines that run the scripts are valid shell for hostile paths and arguments")
    func commandLinesParse() async throws {
        var commands: [ShellCommand] = []
        for word in Self.hostileWords {
            let work = "/home/user/work/\(word)"
            let meta = "/home/user/work/.exe-sync/\(word)"
            commands.append(RemoteSyncScript.probe(work: work, meta: meta))
            commands.append(RemoteSyncScript.readManifest(meta: meta))
            commands.append(RemoteSyncScript.apply(work: work, meta: meta, compressed: true))
            commands.append(RemoteSyncScript.apply(work: work, meta: meta, compressed: false))
            let command = RemoteCommand(
                arguments: ["printf", "%s\\n", word], workDirectory: work, environment: [(name: "EXE_TOKEN", value: Secret(word))],
                stateDirectory: "/tmp/\(word)", runID: "run_0123456789ab")
            commands.append(command.shellCommand)
            commands.append(command.interruptScript(graceSeconds: 5))
            commands.append(ArtifactCollector.listScript.command([work, word, "dist/\(word)"]))
            commands.append(try JUnitPattern("reports/\(word.replacingOccurrences(of: "\n", with: ""))/*.xml").listCommand(workDirectory: work))
        }
        let problems = try await ShellSyntax.problems(commands)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }

    @Test("golden: the run wrapper's command line is exec sh -c, the script, then every value one quoted word")
    func runCommandGolden() {
        let command = RemoteCommand(
            arguments: ["printf", "%s\\n", "it's $(x)"], workDirectory: "/w d", environment: [(name: "EXE_TOKEN", value: Secret("s'e"))],
            stateDirectory: "/state", runID: "run_0123456789ab")
        let script = ShellQuote.word(RemoteCommand.runScript.text)
        #expect(command.shellCommand.commandLine
            == "exec sh -c \(script) exe-run /state /state/run_0123456789ab.pid '/w d' with-environment printf '%s\\n' 'it'\\''s $(x)'")
        #expect(String(decoding: command.environmentScript, as: UTF8.self) == "export 'EXE_TOKEN=s'\\''e'\n")
        #expect(command.interruptScript(graceSeconds: 3).commandLine
            == "sh -c \(ShellQuote.word(RemoteCommand.interruptScript.text)) exe-interrupt /state/run_0123456789ab.pid 30")
        #expect(RemoteSyncScript.apply(work: "/w", meta: "/w/.m", compressed: true).commandLine
            == "sh -c \(ShellQuote.word(RemoteSyncScript.script.text)) exe-sync apply-gzip /w /w/.m")
        #expect(RemoteSyncScript.readManifest(meta: "/m $x").commandLine == "cat '/m $x/manifest'")
    }

    @Test("run.sh runs for real: hostile work and state directories, arguments and environment values arrive intact")
    func runWrapperRunsForReal() async throws {
        let directory = try TemporaryDirectory(prefix: "run-script")
        defer { directory.remove() }
        for word in Self.hostileWords {
            let command = RemoteCommand(
                arguments: ["sh", "-c", #"printf '%s|%s|%s' "$1" "$EXE_VALUE" "$(pwd)""#, "probe", word],
                workDirectory: directory.file("work/\(word)"), environment: [(name: "EXE_VALUE", value: Secret(word))],
                stateDirectory: directory.file("state/\(word)"), runID: "run_0123456789ab")
            let output = try await LocalShell.run(command.shellCommand, stdin: command.environmentScript)
            let real = try #require(realpath(directory.file("work/\(word)"), nil).map { p in defer { free(p) }; return String(cString: p) })
            #expect(output.status == 0 && output.stdout == "\(word)|\(word)|\(real)", "\(word): \(output.stdout) \(output.stderr)")
            let pid = try String(contentsOfFile: command.pidFile, encoding: .utf8)
            #expect(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "the pid file holds a pid: \(pid)")

            // One word is a script for /bin/sh.
            let script = RemoteCommand(
                arguments: ["printf '%s' \"$EXE_VALUE\"; exit 7"], workDirectory: directory.file("work/\(word)"),
                environment: [(name: "EXE_VALUE", value: Secret(word))], stateDirectory: directory.file("state/\(word)"), runID: "run_0123456789ac")
            let scripted = try await LocalShell.run(script.shellCommand, stdin: script.environmentScript)
            #expect(scripted.status == 7 && scripted.stdout == word, "\(word): \(scripted)")
        }
    }

    @Test("interrupt.sh signals the run's process group for real, with a hostile pid file path")
    func interruptRunsForReal() async throws {
        let directory = try TemporaryDirectory(prefix: "interrupt-script")
        defer { directory.remove() }
        let command = RemoteCommand(
            arguments: ["sleep", "30"], workDirectory: directory.file("w"), environment: [],
            stateDirectory: directory.file("state/it's $(x) `y`\n-z"), runID: "run_0123456789ab")
        // setsid: the wrapper leads its own process group, as under sshd.
        let started = ContinuousClock.now
        let running = Task {
            try await LocalProcessRunner().run(ProcessInvocation("/usr/bin/setsid", ["-w", "/bin/sh", "-c", command.shellCommand.commandLine], timeout: .seconds(60)))
        }
        let interrupt = try await LocalShell.run(command.interruptScript(graceSeconds: 2))
        #expect(interrupt.status == 0, "\(interrupt)")
        let output = try await running.value
        #expect(output.status != 0 && ContinuousClock.now - started < .seconds(20), "the sleep was interrupted: \(output)")
    }

    @Test("artifacts.sh runs for real: a hostile work directory and patterns arrive intact")
    func artifactsRunForReal() async throws {
        let directory = try TemporaryDirectory(prefix: "artifacts-script")
        defer { directory.remove() }
        let work = "work/it's $(x) `y`\n-z"
        try directory.write("\(work)/dist/a b.txt", "12345")
        try directory.write("\(work)/-rf/$HOME", "1")
        try directory.write("work/outside.txt", "1")
        let output = try await LocalShell.run(ArtifactCollector.listScript.command([directory.file(work), "dist", "-rf", "missing*", "../outside.txt"]))
        #expect(output.status == 0, "\(output)")
        let records = Set(output.standardOutput.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        // A match with a leading `-` is listed as ./-rf (ArtifactCollector.normalize drops the ./).
        #expect(records == ["f\t5\tdist/a b.txt", "f\t1\t./-rf/$HOME", "m\tmissing*", "x\t../outside.txt"], "\(records)")
    }

    @Test("sync.sh runs for real: a hostile work directory receives the tree, and a second sync is up to date")
    func syncRunsForReal() async throws {
        let directory = try TemporaryDirectory(prefix: "sync-script")
        defer { directory.remove() }
        let repository = try await directory.gitRepository("repo", files: ["a b.txt": "one\n", "src/$x.txt": "two\n"])
        let remote = directory.file("vm/it's $(x) `y`\n-z/repo")
        let host = LocalShellSyncTests.localShellHost()
        let sync = WorkTreeSync(connection: host, localRoot: repository, remoteDirectory: remote)
        let options = SyncOptions(cacheDirectory: directory.file("cache"))
        let first = try await sync.run(options)
        #expect(first.filesSent == 2 && !first.upToDate)
        #expect(try String(contentsOfFile: remote + "/src/$x.txt", encoding: .utf8) == "two\n")
        #expect(try String(contentsOfFile: remote + "/a b.txt", encoding: .utf8) == "one\n")
        let second = try await sync.run(options)
        #expect(second.upToDate, "\(second)")
    }
}
