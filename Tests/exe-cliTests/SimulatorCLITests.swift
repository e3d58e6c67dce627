import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// The built `exe-cli` against a real `exe-sim`, configured only by the
/// variables `eval "$(exe-sim up ...)"` sets (plus a key and an empty home).
@Suite(.cliSimulator, .serialized, .timeLimit(.minutes(3)))
struct SimulatorCLITests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulator trait") } }

    // execore/ssh_server.go handleExec closes a failed command's channel with
    // no exit status (libssh2 1.10 reads 0), and `integrations add` has no
    // --json: the text must be judged. The target check is
    // execore/integration_validate.go validateTargetURL.
    @Test("a text-mode failure without an exit status is a failure with the server's message")
    func textModeFailureWithoutExitStatus() async throws {
        let sim = try sim
        let refused = try await sim.run(
            ["integrations", "add", "http-proxy", "--name", "cli-hook", "--target", "http://api.example.com", "--bearer-env", "CLI_HOOK_TOKEN"],
            extra: ["CLI_HOOK_TOKEN": "not-a-real-token"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr == "error: target URL scheme must be https, got \"http\"\n")
        #expect(!refused.stdout.contains("Added"))
        let attach = try await sim.run(["integrations", "attach", "no-such-hook", "vm:cli-box"])
        #expect(attach.status != 0)
        #expect(attach.stderr.hasPrefix("error: "))
        let listed = try await sim.run(["integrations", "list", "--json"])
        #expect(!listed.stdout.contains("cli-hook"), "\(listed.stderr)")
    }

    // execore/ssh_integrations_command.go: `--header` is a flag.String, so
    // a second --header silently replaces the first, and a header with a
    // bearer is refused. exe-cli refuses both before anything is sent; one
    // header is stored redacted, and the success text (the confirmation
    // and printIntegrationUsage's lines) is read as success.
    @Test("integrations add http-proxy takes one header: two, or a header with a bearer, are exit 2 before sending; one is stored redacted")
    func oneHeaderPerIntegration() async throws {
        let sim = try sim
        let target = "https://api.example.com"
        let two = try await sim.run(["integrations", "add", "http-proxy", "--name", "cli-two", "--target", target, "--header", "X-A:1", "--header", "X-B:2"])
        #expect(two.status == 2 && two.stderr.contains("exe.dev keeps one header per http-proxy integration"), "\(two.stderr)")
        let both = try await sim.run(
            ["integrations", "add", "http-proxy", "--name", "cli-both", "--target", target, "--header", "X-A:1", "--bearer-env", "CLI_BOTH"],
            extra: ["CLI_BOTH": "b"])
        #expect(both.status == 2 && both.stderr.contains("mutually exclusive"), "\(both.stderr)")
        let one = try await sim.run(["integrations", "add", "http-proxy", "--name", "cli-one", "--target", target, "--header", "X-Api-Key:hdr-secret-1"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(!one.stdout.contains("hdr-secret-1") && !one.stderr.contains("hdr-secret-1"))
        let listed = try await sim.run(["integrations", "list", "--json"])
        #expect(listed.stdout.contains(#""header":"X-Api-Key:***""#), "\(listed.stdout)")
        #expect(!listed.stdout.contains("cli-two") && !listed.stdout.contains("cli-both") && !listed.stdout.contains("hdr-secret-1"))
        #expect(try await sim.run(["integrations", "remove", "cli-one"]).status == 0)
    }

    // The server's lexer (anmitsu/go-shlex via gliderlabs/ssh) drops empty
    // words, so `comment vm ''` is a usage error there
    // (execore/ssh_comment_command.go); exe-cli sends a blank word instead.
    @Test("vm comment NAME \"\" clears the comment")
    func emptyCommentClears() async throws {
        let sim = try sim
        #expect(try await sim.run(["vm", "new", "--name", "cli-note", "--comment", "remember me"]).status == 0)
        let cleared = try await sim.run(["vm", "comment", "cli-note", "", "--json"])
        #expect(cleared.status == 0, "\(cleared.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: cleared.standardOutput) as? [String: Any])
        #expect(result["comment"] as? String == "")
        let listed = try await sim.run(["vm", "ls", "--json"])
        let vms = try #require((try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])?["vms"] as? [[String: Any]])
        let note = try #require(vms.first { $0["vm_name"] as? String == "cli-note" })
        #expect((note["comment"] as? String ?? "") == "", "an empty comment is left out of ls")
        #expect(try await sim.run(["vm", "rm", "cli-note"]).status == 0)
    }

    /// A user's first web server: a process started with `vm exec` serves the
    /// VM's URL, as exe.dev's proxy dials 127.0.0.1:PORT inside the VM
    /// (`exeweb/proxy.go`), and no other VM sees it on its localhost.
    @Test("a process on a VM serves its URL and is on no other VM's localhost")
    func processServesItsURL() async throws {
        let sim = try sim
        try #require(sim.harness.isolatesVMNetworks, "exe-sim gives each VM its own network only as root, with ip netns")
        var urls: [String: String] = [:]
        for name in ["cli-web-one", "cli-web-two"] {
            let created = try await sim.run(["vm", "new", "--name", name, "--json"])
            #expect(created.status == 0, "\(created.stderr)")
            let vm = try #require(try JSONSerialization.jsonObject(with: created.standardOutput) as? [String: Any])
            urls[name] = try #require(vm["https_url"] as? String)
            let started = try await sim.run([
                "vm", "exec", name, "--", "mkdir -p /data/www && echo \(name) > /data/www/index.html && { busybox httpd -f -p 127.0.0.1:8000 -h /data/www >/dev/null 2>&1 </dev/null & echo $! > /data/httpd.pid; }",
            ])
            #expect(started.status == 0, "\(started.stderr)")
            #expect(try await sim.run(["vm", "share", "set-public", name]).status == 0)
        }
        for name in ["cli-web-one", "cli-web-two"] {
            // The server was started in the background: give it a moment to listen.
            let local = try await sim.run([
                "vm", "exec", name, "--", "curl", "-s", "-m", "5", "--retry", "20", "--retry-connrefused", "--retry-delay", "0", "http://localhost:8000/",
            ])
            #expect(local.stdout == name + "\n", "\(local.stderr)")
            let url = try #require(urls[name])
            let served = try await LocalProcessRunner().run(ProcessInvocation(
                "curl", ["-s", "-m", "10"] + sim.harness.curlConnectTo + [url + "/"], timeout: .seconds(20)))
            #expect(served.stdout == name + "\n", "\(url): \(served.stdout)")
        }
        let stopped = try await sim.run(["vm", "exec", "cli-web-one", "--", "kill $(cat /data/httpd.pid) && sleep 0.5"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let gone = try await sim.run(["vm", "exec", "cli-web-one", "--", "curl -s -m 5 -o /dev/null http://localhost:8000/; echo rc=$?"])
        #expect(gone.stdout == "rc=7\n", "one VM's server stopped; the other's must not answer in its place: \(gone.stdout)")
        let other = try await sim.run(["vm", "exec", "cli-web-two", "--", "curl -s -m 5 http://localhost:8000/ && kill $(cat /data/httpd.pid)"])
        #expect(other.stdout == "cli-web-two\n", "\(other.stderr)")
        for name in ["cli-web-one", "cli-web-two"] { _ = try await sim.run(["vm", "rm", name]) }
    }

    @Test("vm new, vm ls --json, vm exec (exit status, both outputs, stdin), vm ssh through a pty, vm rm")
    func lifecycle() async throws {
        let sim = try sim
        let created = try await sim.run([
            "vm", "new", "--name", "cli-box", "--tag", "cli", "--comment", "made by exe-cli; $(id)", "--env", "GREETING=hello world",
            "--json",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let vm = try #require(try JSONSerialization.jsonObject(with: created.standardOutput) as? [String: Any])
        #expect(vm["vm_name"] as? String == "cli-box")
        #expect(vm["tags"] as? [String] == ["cli"])
        #expect(vm["ssh_host"] as? String == "127.0.0.1")

        let listed = try await sim.run(["vm", "ls", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])
        let vms = try #require(list["vms"] as? [[String: Any]])
        let box = try #require(vms.first { $0["vm_name"] as? String == "cli-box" })
        #expect(box["status"] as? String == "running")
        #expect(box["comment"] as? String == "made by exe-cli; $(id)")
        #expect(list["team_vms"] as? [Any] != nil)

        let table = try await sim.run(["vm", "ls", "cli"])
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("NAME") && table.stdout.contains("cli-box"))

        let exec = try await sim.run(["vm", "exec", "cli-box", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(exec.status == 3, "\(exec.stderr)")
        #expect(exec.stdout == "out\n")
        #expect(exec.stderr == "err\n")

        let shellLine = try await sim.run(["vm", "exec", "cli-box", "--", "echo $((6 * 7)) \"$0\" | tr 0-9 a-j"])
        #expect(shellLine.status == 0, "\(shellLine.stderr)")
        #expect(shellLine.stdout.hasPrefix("ec "))

        let piped = try await sim.run(["vm", "exec", "cli-box", "--", "tr", "a-z", "A-Z"], stdin: Data("hello\n".utf8))
        #expect(piped.status == 0 && piped.stdout == "HELLO\n", "\(piped.stderr)")

        // vm ssh through a real terminal (util-linux `script` makes the pty): typed input reaches the shell,
        // the shell has a terminal, and its exit status is exe-cli's.
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        let terminal = try await LocalProcessRunner().run(ProcessInvocation(
            "script", ["-qec", ShellQuote.command([binary, "vm", "ssh", "cli-box"]), "/dev/null"], environment: sim.environment(),
            standardInput: Data("[ -t 0 ] && echo \"tty=$((6 * 7))\"; exit 5\n".utf8), timeout: .seconds(60)))
        #expect(terminal.status == 5, "\(terminal.stderr)")
        #expect(terminal.stdout.replacingOccurrences(of: "\r", with: "").contains("tty=42\n"), "\(terminal.stdout)")

        let removed = try await sim.run(["vm", "rm", "cli-box"])
        #expect(removed.status == 0, "\(removed.stderr)")
        let after = try await sim.run(["vm", "ls", "--json"])
        let empty = try #require(try JSONSerialization.jsonObject(with: after.standardOutput) as? [String: Any])
        #expect((empty["vms"] as? [Any])?.isEmpty == true)
    }

    @Test("exit codes: 3 not found, 2 usage, 1 refused, 4 authentication or permission, 5 transport")
    func exitCodes() async throws {
        let sim = try sim
        let restart = try await sim.run(["vm", "restart", "ghost-vm"])
        #expect(restart.status == 3)
        #expect(restart.stderr == "error: VM \"ghost-vm\" not found\n")
        #expect(restart.stdout.isEmpty)
        #expect(try await sim.run(["vm", "rm", "ghost-vm"]).status == 3)
        #expect(try await sim.run(["vm", "exec", "ghost-vm", "--", "true"]).status == 3)
        #expect(try await sim.run(["vm", "stat", "ghost-vm"]).status == 3)

        let badName = try await sim.run(["vm", "new", "--name", "Bad_Name"])
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("invalid VM name"))
        #expect(try await sim.run(["vm", "ls", "--bogus"]).status == 2)
        #expect(try await sim.run(["vm", "rename", "only-one"]).status == 2)
        #expect(try await sim.run(["vm", "exec", "some-vm"]).status == 2)

        #expect(try await sim.run(["vm", "new", "--name", "cli-taken"]).status == 0)
        let taken = try await sim.run(["vm", "new", "--name", "cli-taken"])
        #expect(taken.status == 1)
        #expect(taken.stderr == "error: VM name \"cli-taken\" is not available\n")
        #expect(try await sim.run(["vm", "rm", "cli-taken"]).status == 0)

        let stranger = try await SSHKeyPair.generate(type: "ed25519", at: sim.home.file("stranger"))
        #expect(try await sim.run(["vm", "ls"], extra: ["EXE_IDENTITY": stranger.privatePath]).status == 4)
        let unknownHost = try sim.home.write("empty_known_hosts", "")
        #expect(try await sim.run(["vm", "ls"], extra: ["EXE_KNOWN_HOSTS": unknownHost]).status == 4)
        let refused = try await sim.run(["vm", "ls"], extra: ["EXE_CONTROL_HOST": "127.0.0.1:\(LoopbackPort.free())"])
        #expect(refused.status == 5, "\(refused.stderr)")
    }

    @Test("the HTTPS transport from the environment: the token works, stays out of output, and is scoped")
    func https() async throws {
        let sim = try sim
        let token = try await sim.harness.mintAPIToken(key: sim.key.privatePath, label: "cli-https", cmds: ["ls"])
        let variables = ["EXE_TRANSPORT": "https", "EXE_API_TOKEN": token.reveal()]
        let listed = try await sim.run(["vm", "ls", "--json"], extra: variables)
        #expect(listed.status == 0, "\(listed.stderr)")
        let denied = try await sim.run(["whoami"], extra: variables)
        #expect(denied.status == 4)
        #expect(denied.stderr == "error: command not allowed by token permissions\n")
        for output in [listed, denied] {
            #expect(!output.stdout.contains(token.reveal()) && !output.stderr.contains(token.reveal()))
        }
    }
}

/// A simulator, a registered key and an empty home for `exe-cli` runs.
final class CLISimulator: Sendable {
    @TaskLocal static var current: CLISimulator?

    let harness: SimulatorHarness
    let home: TemporaryDirectory
    let key: SSHKeyPair

    init(harness: SimulatorHarness, home: TemporaryDirectory, key: SSHKeyPair) {
        self.harness = harness
        self.home = home
        self.key = key
    }

    static func start(tls: Bool = false) async throws -> CLISimulator {
        let home = try TemporaryDirectory(prefix: "exe-cli-home")
        do {
            let key = try await SSHKeyPair.generate(type: "ed25519", at: home.file("id_test"), comment: "cli-key")
            let harness = try await SimulatorHarness.start(authorizedKeys: [key.publicPath], tls: tls)
            return CLISimulator(harness: harness, home: home, key: key)
        } catch {
            home.remove()
            throw error
        }
    }

    func stop() async throws {
        defer { home.remove() }
        ConnectionHolderProcesses.stop(under: home.path)
        try await harness.stop()
    }

    /// What `eval "$(exe-sim up ...)"` leaves in a shell, with the test's key
    /// and home; `extra` overrides.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var variables = [
            "HOME": home.path, "USER": harness.user, "SSH_AUTH_SOCK": "", "XDG_STATE_HOME": home.file("state"),
            "EXE_CONTROL_HOST": "\(harness.controlHost):\(harness.controlPort)", "EXE_KNOWN_HOSTS": harness.knownHostsPath,
            "EXE_API_URL": harness.apiURL, "EXE_IDENTITY": key.privatePath, "EXE_TRANSPORT": "", "EXE_API_TOKEN": "",
            "EXE_JSON": "", "EXE_HOST_KEY_POLICY": "", "EXE_CA_FILE": "", "XDG_RUNTIME_DIR": home.file("run"), "EXE_PERSIST": "", "EXE_PERSIST_IDLE": "",
        ]
        variables.merge(extra) { _, new in new }
        return variables
    }

    /// Runs the built `exe-cli` with `arguments`; stdin is empty unless given.
    func run(_ arguments: [String], extra: [String: String] = [:], stdin: Data? = nil) async throws -> ProcessOutput {
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        return try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: environment(extra), standardInput: stdin ?? Data(), timeout: .seconds(60)))
    }
}

/// Starts one simulator for the suite and stops it when the suite ends,
/// holding ``SimulatorGate`` meanwhile.
struct CLISimulatorTrait: SuiteTrait, TestScoping {
    /// Whether the simulator also serves TLS (`exe-sim up --tls`).
    var tls = false
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let tls = self.tls
        try await SimulatorGate.withTurn(label: test.name, start: { try await CLISimulator.start(tls: tls) }, stop: { try await $0.stop() }) { simulator in
            try await CLISimulator.$current.withValue(simulator) { try await function() }
        }
    }
}

extension Trait where Self == CLISimulatorTrait {
    /// One simulator for the suite.
    static var cliSimulator: Self { CLISimulatorTrait() }
    /// One simulator for the suite, started with `exe-sim up --tls`.
    static var cliSimulatorWithTLS: Self { CLISimulatorTrait(tls: true) }
}
