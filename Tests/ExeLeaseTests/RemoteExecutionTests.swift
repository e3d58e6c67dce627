import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Remote commands in a lease's work directory")
struct RemoteExecutionTests {
    func collect(_ stream: AsyncThrowingStream<CommandOutputEvent, any Error>) async throws -> (String, String, RemoteExitStatus?) {
        var out = Data()
        var err = Data()
        var status: RemoteExitStatus?
        for try await event in stream {
            switch event {
            case .stdout(let data): out.append(data)
            case .stderr(let data): err.append(data)
            case .exit(let exit): status = exit
            }
        }
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self), status)
    }

    @Test("runs in the work directory, passes the exit code through, forwards env without argv")
    func basics() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let work = server.directory.file("vm/work")
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let secret = "s3cr3t-$(id)-'quoted'\nline2"
            let command = RemoteCommand(
                arguments: ["sh", "-c", "pwd; printf '%s' \"$TOKEN\" >&2; cat; umask; sleep 1; exit 3"], workDirectory: work,
                environment: [("TOKEN", Secret(secret))], stateDirectory: server.directory.file("vm/state"), runID: RemoteCommand.newRunID())
            let execution = RemoteExecution(connection: connection, command: command)
            // While it runs, no process's argv carries the secret (the canary proves the scanner looks).
            let canary = "canary-\(UInt64.random(in: 1...UInt64.max))"
            let scanner = ProcessArgumentScanner(needles: ["s3cr3t", canary])
            try #require(try await scanner.showCanary(canary), "the argv scanner never saw its canary")
            let stream = try await execution.start()
            let (out, err, status) = try await collect(stream)
            let argv = scanner.stop()
            #expect(argv.hits.count >= 1 && argv.hits.allSatisfy { $0.contains(canary) }, "the secret was in a process's argv: \(argv.hits)")
            let lines = out.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines.first == work, "the command sees an empty stdin: \(out)")
            #expect(lines.last != "0077", "the private state directory's mode does not leak into the command's umask")
            #expect(err == secret)
            #expect(status == .exited(3))
            // The environment never touched the disk: the state directory holds only this run's pid file.
            let state = server.directory.file("vm/state")
            #expect(try FileManager.default.contentsOfDirectory(atPath: state) == [command.runID + ".pid"])

            // The next run sweeps the pid file of the one that exited; its own stays until a later run.
            let next = RemoteCommand(arguments: ["true"], workDirectory: work, environment: [], stateDirectory: state, runID: RemoteCommand.newRunID())
            let (_, _, nextStatus) = try await collect(try await RemoteExecution(connection: connection, command: next).start())
            #expect(nextStatus == .exited(0))
            #expect(try FileManager.default.contentsOfDirectory(atPath: state) == [next.runID + ".pid"])
        }
    }

    @Test("a single word is a shell script")
    func script() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let work = server.directory.path
            let command = RemoteCommand(arguments: ["echo a && echo b | tr b c"], workDirectory: work, environment: [], stateDirectory: server.directory.file("state"), runID: RemoteCommand.newRunID())
            let (out, _, status) = try await collect(try await RemoteExecution(connection: connection, command: command).start())
            #expect(out == "a\nc\n")
            #expect(status == .exited(0))
        }
    }

    @Test("an interrupt reaches the command and its children (SIGINT, then SIGKILL)")
    func interrupt() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let marker = server.directory.file("child.pid")
            // The child ignores SIGINT, so only the SIGKILL after the grace period ends it.
            let script = "sh -c 'trap \"\" INT; echo $$ > \(marker); sleep 60' & wait"
            let command = RemoteCommand(arguments: [script], workDirectory: server.directory.path, environment: [], stateDirectory: server.directory.file("state"), runID: RemoteCommand.newRunID())
            let execution = RemoteExecution(connection: connection, command: command)
            let stream = try await execution.start()
            async let result = collect(stream)
            // The file exists (empty) before `echo` writes it: wait for a pid.
            func writtenPID() -> Int32? {
                Int32(((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while writtenPID() == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let child = try #require(writtenPID())
            let clock = ContinuousClock()
            let start = clock.now
            try await execution.interrupt(grace: .seconds(1))
            let (_, _, status) = try await result
            #expect(status != .exited(0))
            #expect(clock.now - start < .seconds(20), "ended by the 1 s grace, not by the child's 60 s sleep")
            #expect(!isRunning(child), "the child that ignored SIGINT was killed")
        }
    }

    @Test("the allowlist forwards only named variables (prefix patterns too)")
    func allowlist() {
        let env = ["CI": "1", "NODE_OPTIONS": "--x", "AWS_SECRET": "nope", "APP_A": "a", "APP_B": "b", "bad-name": "x"]
        let forwarded = RemoteCommand.forwardedEnvironment(allowed: ["CI", "APP_*", "bad-name"], from: env)
        #expect(forwarded.map(\.name) == ["APP_A", "APP_B", "CI"])
    }
}

/// Whether `pid` is a live process (a zombie awaiting its reaper is not).
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}
