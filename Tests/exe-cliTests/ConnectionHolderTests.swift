import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// The connection holder with real processes: the built `exe-cli`, the
/// holder it starts, exe-sim's sshd behind a counting ``DelayProxy`` (every
/// TCP connection to the control host is counted there, so "one connection"
/// is measured, not assumed). Each test has its own runtime directory and
/// stops its holders by pid.
@Suite(.cliSimulator, .serialized, .timeLimit(.minutes(5)))
struct ConnectionHolderTests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulator trait") } }

    @Test("two exe-cli processes share one held connection; --no-persist and EXE_PERSIST=0 connect directly")
    func twoProcessesShareOneConnection() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let first = try await bed.run(["vm", "ls", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await bed.run(["whoami", "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(bed.proxy.connectionsAccepted == 1)
        let listing = try await bed.listing()
        let connections = try #require(listing["connections"] as? [[String: Any]])
        #expect(connections.count == 1)
        #expect(connections.first?["commands_run"] as? Int == 2)
        #expect(connections.first?["connections_opened"] as? Int == 1)
        #expect(connections.first?["alive"] as? Bool == true)

        let direct = try await bed.run(["vm", "ls", "--json", "--no-persist"])
        #expect(direct.status == 0 && direct.stdout == first.stdout, "\(direct.stderr)")
        let off = try await bed.run(["vm", "ls", "--json"], extra: ["EXE_PERSIST": "0"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(bed.proxy.connectionsAccepted == 3)
        let after = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        #expect(after.first?["commands_run"] as? Int == 2)
    }

    @Test("EXE_PERSIST=0 starts no holder")
    func persistOffStartsNoHolder() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        for _ in 0..<2 {
            let output = try await bed.run(["vm", "ls", "--json"], extra: ["EXE_PERSIST": "0"])
            #expect(output.status == 0, "\(output.stderr)")
        }
        #expect(bed.proxy.connectionsAccepted == 2)
        #expect(bed.holderPIDs().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: bed.socketPath))
        let bad = try await bed.run(["vm", "ls"], extra: ["EXE_PERSIST": "maybe"])
        #expect(bad.status == 2 && bad.stderr.contains("EXE_PERSIST"))
    }

    @Test("a second identity gets its own connection and never rides on the first")
    func secondIdentityGetsItsOwnConnection() async throws {
        let sim = try sim
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        #expect(try await bed.run(["whoami"]).status == 0)
        let stranger = try await SSHKeyPair.generate(type: "ed25519", at: bed.directory.file("id_stranger"), comment: "stranger")
        let refused = try await bed.run(["whoami"], extra: ["EXE_IDENTITY": stranger.privatePath])
        // The sim does not know this key: if the call had used the held
        // connection of the first identity, it would have succeeded.
        #expect(refused.status == 4, "\(refused.stdout) \(refused.stderr)")
        #expect(bed.proxy.connectionsAccepted == 2)
        let connections = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        #expect(connections.count == 2)
        #expect(Set(connections.compactMap { ($0["identity_files"] as? [String])?.first }) == [sim.key.privatePath, stranger.privatePath])
        #expect(try await bed.run(["whoami"]).status == 0)
        #expect(bed.proxy.connectionsAccepted == 2)
    }

    @Test("another uid cannot use the socket: the directory is closed to it, and the holder refuses its peer uid (SO_PEERCRED)")
    func anotherUIDIsRefused() async throws {
        guard getuid() == 0 else {
            Issue.record("needs root to run a process as nobody (setpriv)")
            return
        }
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        #expect(try await bed.run(["vm", "ls", "--json"]).status == 0)
        let script = try bed.directory.write("probe.py", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as error:
                print("connect-error", error.errno); sys.exit(0)
            data = b""
            try:
                s.sendall(bytes([5, 0, 0, 0, 0]))
                s.settimeout(10)
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
            except (BrokenPipeError, ConnectionResetError):
                pass  # closed by the holder
            print("received", len(data))
            """, mode: 0o644)
        chmod(bed.directory.path, 0o755)
        let runner = LocalProcessRunner()
        let asOwner = try await runner.run(ProcessInvocation("/usr/bin/python3", [script, bed.socketPath], timeout: .seconds(30)))
        #expect(asOwner.stdout.hasPrefix("received ") && asOwner.stdout != "received 0\n", "\(asOwner.stdout) \(asOwner.stderr)")
        let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", script, bed.socketPath]
        let closedDirectory = try await runner.run(ProcessInvocation("setpriv", nobody, timeout: .seconds(30)))
        #expect(closedDirectory.stdout == "connect-error 13\n", "\(closedDirectory.stdout) \(closedDirectory.stderr)")
        // Open the directory and the socket to everyone: only the peer uid check is left.
        chmod(bed.runtimeDirectory, 0o755)
        chmod(bed.socketPath, 0o777)
        defer {
            chmod(bed.runtimeDirectory, 0o700)
            chmod(bed.socketPath, 0o600)
        }
        let peerChecked = try await runner.run(ProcessInvocation("setpriv", nobody, timeout: .seconds(30)))
        #expect(peerChecked.stdout == "received 0\n", "\(peerChecked.stdout) \(peerChecked.stderr)")
        // The same probe as the owner, through the opened directory, still gets its listing.
        let ownerAgain = try await runner.run(ProcessInvocation("/usr/bin/python3", [script, bed.socketPath], timeout: .seconds(30)))
        #expect(ownerAgain.stdout.hasPrefix("received ") && ownerAgain.stdout != "received 0\n", "\(ownerAgain.stdout)")
        // A directory open to others is not used: exe-cli connects directly and says so with -v.
        let opened = try await bed.run(["vm", "ls", "--json", "-v"])
        #expect(opened.status == 0 && opened.stderr.contains("open to other users"), "\(opened.stderr)")
    }

    @Test("a relative --identity or EXE_IDENTITY means the file in the caller's directory, though the holder runs in /")
    func relativeIdentity() async throws {
        let sim = try sim
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let keyDirectory = (sim.key.privatePath as NSString).deletingLastPathComponent
        let name = (sim.key.privatePath as NSString).lastPathComponent
        let viaVariable = try await bed.run(["whoami", "--json"], extra: ["EXE_IDENTITY": name], in: keyDirectory)
        #expect(viaVariable.status == 0, "\(viaVariable.stderr)")
        let viaFlag = try await bed.run(["whoami", "--identity", "./" + name, "--json"], extra: ["EXE_IDENTITY": ""], in: keyDirectory)
        #expect(viaFlag.status == 0, "\(viaFlag.stderr)")
        // Both name the same file: one held connection.
        let connections = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        #expect(connections.count == 1, "\(connections)")
    }

    @Test("the holder inherits no secret from the caller's environment (tokens, registry passwords, anything not on its list)")
    func holderEnvironmentHasNoSecrets() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let secrets = ["EXE_API_TOKEN": "api-token-7f3a", "EXE_REGISTRY_PASSWORD": "registry-pw-9c1e", "CI_DEPLOY_KEY": "ci-key-2b8d"]
        #expect(try await bed.run(["vm", "ls", "--json"], extra: secrets).status == 0)
        let pid = try #require(try await bed.listing()["pid"] as? Int)
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        let names = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self).prefix { $0 != "=" } }
        #expect(!names.isEmpty)
        for value in secrets.values { #expect(environ.range(of: Data(value.utf8)) == nil, "\(value) reached the holder") }
        #expect(Set(names).isSubset(of: ["HOME", "USER", "LOGNAME", "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "XDG_RUNTIME_DIR", "XDG_STATE_HOME"]), "\(names)")
    }

    @Test("another build of exe-cli (an upgrade) never talks to the holder this one left running: each has its own socket")
    func otherBuildGetsItsOwnHolder() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        #expect(try await bed.run(["vm", "ls", "--json"]).status == 0)
        let first = try #require(try await bed.listing()["pid"] as? Int)
        // A copy is another file (inode), as an upgraded binary is.
        let binary = try #require(CLIProcessTests.binary)
        let copy = bed.directory.file("exe-cli-upgraded")
        // Copied by `cp`, not in this process: a child another test spawns
        // meanwhile would inherit our write descriptor, and exec of the copy
        // would fail with ETXTBSY ("Text file busy") until it exits.
        try await LocalProcessRunner().check(ProcessInvocation("cp", [binary, copy], timeout: .seconds(30)))
        let upgraded = try await LocalProcessRunner().run(ProcessInvocation(copy, ["connections", "--json"], environment: bed.environment(), timeout: .seconds(30)))
        #expect(upgraded.stdout.contains("\"running\":false"), "the copy saw the first build's holder: \(upgraded.stdout)")
        let ran = try await LocalProcessRunner().run(ProcessInvocation(copy, ["vm", "ls", "--json"], environment: bed.environment(), timeout: .seconds(60)))
        #expect(ran.status == 0, "\(ran.stderr)")
        let second = try await LocalProcessRunner().run(ProcessInvocation(copy, ["connections", "--json"], environment: bed.environment(), timeout: .seconds(30)))
        let listing = try #require(try JSONSerialization.jsonObject(with: second.standardOutput) as? [String: Any])
        let pid = try #require(listing["pid"] as? Int)
        #expect(pid != first)
        #expect(try await bed.listing()["pid"] as? Int == first)
        _ = try await LocalProcessRunner().run(ProcessInvocation(copy, ["connections", "stop"], environment: bed.environment(), timeout: .seconds(30)))
        try await bed.waitUntilGone(Int32(pid), timeout: .seconds(10))
    }

    @Test("a holder that cannot listen (a socket path longer than sun_path) ends at once, and the call connects directly without waiting out the 3 s start deadline")
    func holderThatCannotListen() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let long = bed.directory.file(String(repeating: "r", count: 120))
        try FileManager.default.createDirectory(atPath: long, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let clock = ContinuousClock()
        let start = clock.now
        let output = try await bed.run(["whoami", "--json", "-v"], extra: ["XDG_RUNTIME_DIR": long])
        let elapsed = clock.now - start
        #expect(output.status == 0, "\(output.stderr)")
        #expect(elapsed < .milliseconds(2500), "waited \(elapsed) for a holder that had ended: \(output.stderr)")
        #expect(bed.proxy.connectionsAccepted == 1)
    }

    @Test("a killed holder is replaced by the next call")
    func killedHolderIsReplaced() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        #expect(try await bed.run(["vm", "ls", "--json"]).status == 0)
        let first = try #require(try await bed.listing()["pid"] as? Int)
        kill(Int32(first), SIGKILL)
        try await bed.waitUntilGone(Int32(first))
        let after = try await bed.run(["vm", "ls", "--json"])
        #expect(after.status == 0, "\(after.stderr)")
        let second = try #require(try await bed.listing()["pid"] as? Int)
        #expect(second != first)
        #expect(bed.proxy.connectionsAccepted == 2)
    }

    @Test("a held connection cut under the holder (sshd restarted, network dropped) is replaced for the next call")
    func deadConnectionIsReplaced() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        #expect(try await bed.run(["vm", "ls", "--json"]).status == 0)
        bed.proxy.dropAll()
        try await Task.sleep(for: .milliseconds(200))
        let after = try await bed.run(["vm", "ls", "--json"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(bed.proxy.connectionsAccepted == 2)
        let connections = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        #expect(connections.first?["connections_opened"] as? Int == 2)
        #expect(connections.first?["alive"] as? Bool == true)
    }

    @Test("the holder ends after EXE_PERSIST_IDLE without a command, and connections stop ends it at once")
    func idleExpiryAndStop() async throws {
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        #expect(try await bed.run(["vm", "ls", "--json"], extra: ["EXE_PERSIST_IDLE": "1"]).status == 0)
        let pid = try #require(try await bed.listing()["pid"] as? Int)
        #expect(try await bed.listing()["idle_timeout_seconds"] as? Int == 1)
        try await bed.waitUntilGone(Int32(pid), timeout: .seconds(10))
        #expect(!FileManager.default.fileExists(atPath: bed.socketPath))
        let none = try await bed.run(["connections", "--json"])
        #expect(none.status == 0 && none.stdout.contains("\"running\":false"), "\(none.stdout)")

        #expect(try await bed.run(["vm", "ls", "--json"]).status == 0)
        let second = try #require(try await bed.listing()["pid"] as? Int)
        let stop = try await bed.run(["connections", "stop"])
        #expect(stop.status == 0 && stop.stdout == "stopped the connection holder\n", "\(stop.stdout) \(stop.stderr)")
        try await bed.waitUntilGone(Int32(second), timeout: .seconds(10))
    }

    @Test("vm exec and vm ssh through the holder: exit status, separate stdout and stderr, stdin and its EOF, signals, 20 MB both ways, a pty")
    func commandsPassThrough() async throws {
        let sim = try sim
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let created = try await bed.run(["vm", "new", "--name", "held-box", "--json"])
        #expect(created.status == 0, "\(created.stderr)")

        let exec = try await bed.run(["vm", "exec", "held-box", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(exec.status == 3 && exec.stdout == "out\n" && exec.stderr == "err\n", "\(exec.stderr)")
        let piped = try await bed.run(["vm", "exec", "held-box", "--", "sh", "-c", "cat; echo eof-seen"], stdin: Data("hello\n".utf8))
        #expect(piped.status == 0 && piped.stdout == "hello\neof-seen\n", "\(piped.stderr)")
        let signaled = try await bed.run(["vm", "exec", "held-box", "--", "kill -TERM $$"])
        #expect(signaled.status == 143, "\(signaled.stderr)")

        let input = randomBytes(20 << 20)
        let hashed = try await bed.run(["vm", "exec", "held-box", "--", "sha256sum"], stdin: input)
        #expect(hashed.stdout.hasPrefix(SHA256Hasher.hexDigest(input)), "\(hashed.stderr)")
        let echoed = try await bed.run(["vm", "exec", "held-box", "--", "cat"], stdin: input)
        #expect(echoed.status == 0 && echoed.standardOutput == input, "\(echoed.standardOutput.count) bytes")

        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        let terminal = try await LocalProcessRunner().run(ProcessInvocation(
            "script", ["-qec", ShellQuote.command([binary, "vm", "ssh", "held-box"]), "/dev/null"], environment: bed.environment(),
            standardInput: Data("[ -t 0 ] && echo \"tty=$((6 * 7))\"; exit 5\n".utf8), timeout: .seconds(60)))
        #expect(terminal.status == 5, "\(terminal.stderr)")
        #expect(terminal.stdout.replacingOccurrences(of: "\r", with: "").contains("tty=42\n"), "\(terminal.stdout)")

        let connections = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        let vm = try #require(connections.first { ($0["destination"] as? String) != "\(sim.harness.user)@127.0.0.1:\(bed.proxy.port)" })
        #expect(vm["connections_opened"] as? Int == 1)
        #expect((vm["commands_run"] as? Int ?? 0) >= 6)
        #expect(bed.proxy.connectionsAccepted == 1)
        #expect(try await bed.run(["vm", "rm", "held-box"]).status == 0)
    }

    @Test("lease run rides the held connection to the lease's VM: two runs, one SSH connection to the VM; the warmup's readiness probes stay direct")
    func leaseRunThroughTheHolder() async throws {
        let sim = try sim
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let tree = bed.directory.file("tree")
        try await LocalProcessRunner().check(ProcessInvocation("git", ["init", "-q", tree]))
        try "hello\n".write(toFile: tree + "/a.txt", atomically: false, encoding: .utf8)
        let warm = try await bed.run(["lease", "warmup", "--slug", "held", "--json"], in: tree)
        #expect(warm.status == 0, "\(warm.stderr)")
        let claim = try #require(try JSONSerialization.jsonObject(with: warm.standardOutput) as? [String: Any])
        let id = try #require(claim["lease_id"] as? String, "\(warm.stdout)")
        let vmDestination = try #require(claim["ssh"] as? String, "\(warm.stdout)")
        // Nothing of the warmup is held for the VM.
        let afterWarmup = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        #expect(!afterWarmup.contains { $0["destination"] as? String == vmDestination }, "\(afterWarmup)")

        let first = try await bed.run(["lease", "run", "--id", id, "--", "cat", "a.txt"], in: tree)
        #expect(first.status == 0 && first.stdout == "hello\n", "\(first.stderr)")
        let second = try await bed.run(["lease", "run", "--id", id, "--", "sh", "-c", "exit 4"], in: tree)
        #expect(second.status == 4, "\(second.stderr)")
        let connections = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        let vm = try #require(connections.first { $0["destination"] as? String == vmDestination }, "\(connections)")
        #expect(vm["connections_opened"] as? Int == 1)
        // Each run: the sync's probe (and the first run's transfer), then the command.
        #expect((vm["commands_run"] as? Int ?? 0) >= 4, "\(vm)")
        #expect(try await bed.run(["lease", "stop", id], in: tree).status == 0)
    }
}

extension ConnectionHolderTests {
    /// Drives a program on a terminal it owns (python3's `os.openpty`):
    /// starts it at 24×80, types `echo "size=$(stty size)"`, resizes the
    /// terminal to 50×132 (the kernel sends SIGWINCH to the program), asks
    /// again, then `exit 7`; prints what it saw and the exit status.
    static let windowChangeDriver = #"""
        import os, sys, fcntl, termios, struct, select, time
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        pid = os.fork()
        if pid == 0:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for descriptor in (0, 1, 2):
                os.dup2(slave, descriptor)
            os.execv(sys.argv[1], sys.argv[1:])
        os.close(slave)
        seen = b""
        def wait_for(token, seconds=60):
            global seen
            end = time.time() + seconds
            while token not in seen and time.time() < end:
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        return False
                    if not chunk:
                        return False
                    seen += chunk
            return token in seen
        os.write(master, b'echo "size=$(stty size)"\n')
        first = wait_for(b"size=24 80")
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 132, 0, 0))
        time.sleep(1)
        os.write(master, b'echo "size=$(stty size)"\n')
        second = wait_for(b"size=50 132")
        os.write(master, b"exit 7\n")
        wait_for(b"\0", 20)
        _, status = os.waitpid(pid, 0)
        print(f"first={first} second={second} status={os.waitstatus_to_exitcode(status)}")
        """#

    @Test("vm ssh through the holder follows the terminal: a window change (SIGWINCH) reaches the remote pty")
    func windowChangeThroughTheHolder() async throws {
        let sim = try sim
        let bed = try HolderTestBed(sim)
        defer { bed.tearDown() }
        let created = try await bed.run(["vm", "new", "--name", "held-resize", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        let driven = try await LocalProcessRunner().run(ProcessInvocation(
            "python3", ["-c", Self.windowChangeDriver, binary, "vm", "ssh", "held-resize"], environment: bed.environment(), timeout: .seconds(180)))
        #expect(driven.stdout.contains("first=True second=True status=7"), "\(driven.stdout) \(driven.stderr)")
        // The session rode on the holder's connection to the VM.
        let connections = try #require(try await bed.listing()["connections"] as? [[String: Any]])
        let vm = try #require(connections.first { ($0["destination"] as? String) != "\(sim.harness.user)@127.0.0.1:\(bed.proxy.port)" })
        #expect((vm["commands_run"] as? Int ?? 0) >= 1, "\(connections)")
        #expect(try await bed.run(["vm", "rm", "held-resize"]).status == 0)
    }
}

/// A runtime directory, a counting proxy in front of the control host and
/// the environment that points `exe-cli` at both.
final class HolderTestBed: Sendable {
    let sim: CLISimulator
    let directory: TemporaryDirectory
    let proxy: DelayProxy
    let knownHosts: String

    var runtimeDirectory: String { directory.path + "/exe" }
    /// The holder's socket (`holder-<build>.sock`); a path that does not
    /// exist when there is none.
    var socketPath: String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runtimeDirectory)) ?? []
        return runtimeDirectory + "/" + (names.first { $0.hasPrefix("holder-") && $0.hasSuffix(".sock") } ?? "holder-none.sock")
    }

    init(_ sim: CLISimulator, delay: Duration = .zero) throws {
        self.sim = sim
        directory = try TemporaryDirectory(prefix: "exe-holder")
        chmod(directory.path, 0o700)
        let controlPort = sim.harness.controlPort
        let proxy = DelayProxy(upstreamPort: controlPort, delay: delay)
        self.proxy = proxy
        // The sim's known_hosts file keeps learning new VMs' keys; the proxied
        // control host's keys go in this bed's own ~/.ssh/known_hosts.
        let original = try String(contentsOfFile: sim.harness.knownHostsPath, encoding: .utf8)
        let proxied = original.split(separator: "\n").filter { $0.hasPrefix("[127.0.0.1]:\(controlPort) ") }
            .map { $0.replacingOccurrences(of: "[127.0.0.1]:\(controlPort) ", with: "[127.0.0.1]:\(proxy.port) ") }
        try FileManager.default.createDirectory(atPath: directory.file(".ssh"), withIntermediateDirectories: true)
        knownHosts = try directory.write(".ssh/known_hosts", proxied.joined(separator: "\n") + "\n", mode: 0o600)
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var variables = [
            "XDG_RUNTIME_DIR": directory.path, "EXE_CONTROL_HOST": "127.0.0.1:\(proxy.port)", "HOME": directory.path,
            "EXE_PERSIST": "", "EXE_PERSIST_IDLE": "",
        ]
        variables.merge(extra) { _, new in new }
        return sim.environment(variables)
    }

    func run(_ arguments: [String], extra: [String: String] = [:], stdin: Data? = nil, in workingDirectory: String? = nil) async throws -> ProcessOutput {
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        return try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: environment(extra), workingDirectory: workingDirectory, standardInput: stdin ?? Data(),
            timeout: .seconds(90)))
    }

    /// `exe-cli connections --json`.
    func listing() async throws -> [String: Any] {
        let output = try await run(["connections", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any])
    }

    /// Holders serving this bed's directory (found by their command line).
    func holderPIDs() -> [Int32] { ConnectionHolderProcesses.pids(under: directory.path) }

    func waitUntilGone(_ pid: Int32, timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while kill(pid, 0) == 0, !Self.isZombie(pid) {
            if ContinuousClock.now > deadline {
                Issue.record("process \(pid) still runs after \(timeout)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    /// Stops this bed's holders by pid, the proxy, and removes the directory.
    func tearDown() {
        ConnectionHolderProcesses.stop(under: directory.path)
        proxy.stop()
        directory.remove()
    }
}
