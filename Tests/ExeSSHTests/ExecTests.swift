import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Exec over a real sshd", .serialized)
struct ExecTests {
    @Test("runs a command and returns stdout, stderr and the exit code")
    func runBasics() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let result = try await connection.run("echo out; echo err >&2; exit 7")
            #expect(result.stdout == "out\n")
            #expect(result.stderr == "err\n")
            #expect(result.status == .exited(7))
            #expect(result.exitCode == 7)
            let ok = try await connection.run("printf 'héllo wörld'")
            #expect(ok.status == .exited(0))
            #expect(ok.stdout == "héllo wörld")
        }
    }

    @Test("an interactive shell gets a terminal, reads keystrokes and reports its exit")
    func interactiveShell() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let shell = connection.shell(
                terminal: PseudoTerminal(term: "xterm", width: 120, height: 40),
                input: .string("stty size; tty >/dev/null && echo has-tty-$((40+2)); exit 3\n"))
            var screen = ""
            var status: RemoteExitStatus?
            for try await event in shell.output {
                switch event {
                case .stdout(let data), .stderr(let data): screen += String(decoding: data, as: UTF8.self)
                case .exit(let exit): status = exit
                }
            }
            #expect(screen.contains("40 120"))
            #expect(screen.contains("has-tty-42"))
            #expect(status == .exited(3))

            let command = connection.shell(terminal: PseudoTerminal(term: "xterm", width: 80, height: 24), input: .none, command: "tty; exit 4")
            var output = ""
            var commandStatus: RemoteExitStatus?
            for try await event in command.output {
                if case .stdout(let data) = event { output += String(decoding: data, as: UTF8.self) }
                if case .exit(let exit) = event { commandStatus = exit }
            }
            #expect(output.hasPrefix("/dev/pts/"))
            #expect(commandStatus == .exited(4))
        }
    }

    @Test("reports the signal that killed the command")
    func signal() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let result = try await connection.run("kill -TERM $$")
            #expect(result.status == .signaled("TERM", coreDumped: false))
            #expect(result.exitCode == 143)
        }
    }

    @Test("drains 3 MB of stderr written before stdout without deadlocking")
    func stderrBeforeStdout() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let result = try await connection.run("head -c 3000000 /dev/zero >&2; echo out; exit 7", timeout: .seconds(20))
            #expect(result.standardError.count == 3_000_000)
            #expect(result.stdout == "out\n")
            #expect(result.status == .exited(7))
        }
    }

    @Test("round-trips 10 MB through stdin")
    func stdinRoundTrip() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let payload = randomBytes(10_000_000)
            let result = try await connection.run("cat", stdin: .data(payload), timeout: .seconds(30))
            #expect(result.standardOutput.count == payload.count)
            #expect(result.standardOutput == payload)
            let counted = try await connection.run("wc -c", stdin: .data(payload))
            #expect(counted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "10000000")
        }
    }

    @Test("streams stdin from an async sequence and sends EOF")
    func stdinSequence() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let chunks = AsyncStream<Data> { continuation in
                for index in 0..<100 { continuation.yield(Data("line \(index)\n".utf8)) }
                continuation.finish()
            }
            let result = try await connection.run("wc -l", stdin: .sequence(chunks))
            #expect(result.stdout.trimmingCharacters(in: .whitespaces) == "100\n")
        }
    }

    @Test("a non-zero exit throws only when asked to, and the error carries the output")
    func check() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let plain = try await connection.run("echo nope >&2; exit 3")
            #expect(plain.exitCode == 3)
            do {
                try await connection.run("echo partial; echo nope >&2; exit 3", check: true)
                Issue.record("expected a commandFailed error")
            } catch let error as SSHError {
                #expect(error.kind == .commandFailed)
                #expect(error.result?.stdout == "partial\n")
                #expect(error.result?.exitCode == 3)
                #expect(error.message.contains("nope"))
            }
        }
    }

    @Test("20 concurrent commands on one connection overlap, beyond MaxSessions")
    func concurrency() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await withThrowingTaskGroup(of: CommandResult.self) { group in
                    for index in 0..<20 { group.addTask { try await connection.run("sleep 1; echo \(index)") } }
                    var outputs = Set<String>()
                    for try await result in group {
                        #expect(result.status == .exited(0))
                        outputs.insert(result.stdout)
                    }
                    #expect(outputs.count == 20)
                }
            }
            // MaxSessions is 10: two waves of one second, not twenty.
            #expect(elapsed < .seconds(15), "20 × sleep 1 took \(elapsed)")
        }
    }

    @Test("a server with a lower MaxSessions still runs everything (the limit is learned)")
    func lowMaxSessions() async throws {
        try await withServer(.init(maxSessions: 2)) { server in
            let connection = try await server.connect()
            try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for index in 0..<8 { group.addTask { try await connection.run("sleep 0.2; echo \(index)") } }
                var count = 0
                for try await result in group {
                    #expect(result.status == .exited(0))
                    count += 1
                }
                #expect(count == 8)
            }
        }
    }

    @Test("an operation timeout closes that channel and leaves the connection usable")
    func operationTimeout() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: SSHError.self) {
                try await connection.run("sleep 30", timeout: .milliseconds(500))
            }
            #expect(error?.kind == .timeout)
            #expect(clock.now - start < .seconds(15), "ended at the deadline, not after the 30 s sleep")
            let after = try await connection.run("echo still here")
            #expect(after.stdout == "still here\n")
        }
    }

    @Test("streams 300 MB of output in bounded memory (measured in a process of its own)")
    func streamingConstantMemory() async {
        // Run in a child process so other tests' allocations do not count.
        await #expect(processExitsWith: .success) {
            let server = try await LoopbackSSHServer.start()
            defer { server.cleanUp() }
            let connection = try await server.connect()
            let baseline = residentMemory()
            var total = 0
            var peak = baseline
            var sawExit = false
            for try await event in connection.stream("head -c 300000000 /dev/zero; echo done >&2") {
                switch event {
                case .stdout(let data):
                    total += data.count
                    if total % (8 << 20) < data.count {
                        peak = max(peak, residentMemory())
                        try await Task.sleep(for: .milliseconds(5))  // a slow consumer
                    }
                case .stderr: break
                case .exit(let exit): sawExit = exit == .exited(0)
                }
            }
            await connection.close()
            let grown = (peak - baseline) >> 20
            print("streamed \(total) bytes; resident memory grew by \(grown) MiB")
            if total != 300_000_000 || !sawExit || grown > 64 { exit(1) }
        }
    }
}

/// This process's resident set size in bytes.
func residentMemory() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}
