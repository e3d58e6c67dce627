import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Issue 12, "exe-cli as a newcomer meets it": each test runs the built
/// `exe-cli` against exe-sim the way a new user would, and fails on the
/// behaviour the issue reports.
extension SimulatorCLITests {
    /// The names of the VMs exe-sim has for this user.
    func vmNames() async throws -> [String] {
        let listed = try await sim.run(["vm", "ls", "--json"])
        try #require(listed.status == 0, "\(listed.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])
        return (list["vms"] as? [[String: Any]] ?? []).compactMap { $0["vm_name"] as? String }
    }

    /// A scratch directory (not a git work tree) to run `lease`/`deploy` in.
    func scratchDirectory(_ name: String) throws -> String {
        let path = try sim.home.file("work-\(name)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs the built exe-cli in `directory`.
    func run(_ arguments: [String], in directory: String, stdin: Data = Data(), timeout: Duration = .seconds(60)) async throws -> ProcessOutput {
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        return try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: try sim.environment(), workingDirectory: directory, standardInput: stdin, timeout: timeout))
    }

    @Test("lease run --help / -h print help and create nothing; an unknown option before -- is exit 2 before any VM exists")
    func leaseRunHelpNeverActs() async throws {
        let directory = try scratchDirectory("help")
        try "secret\n".write(toFile: directory + "/file.txt", atomically: true, encoding: .utf8)
        let before = try await vmNames()
        for flag in ["--help", "-h"] {
            let help = try await run(["lease", "run", flag], in: directory)
            #expect(help.status == 0, "\(flag): \(help.stderr)")
            #expect(help.stdout.contains("USAGE: exe-cli lease run"), "\(flag): \(help.stdout)")
        }
        let bogus = try await run(["lease", "run", "--keep", "--bogus-flag", "--", "true"], in: directory)
        #expect(bogus.status == 2, "\(bogus.stderr)")
        #expect(bogus.stderr.hasPrefix("error: ") && bogus.stderr.contains("--bogus-flag"), "\(bogus.stderr)")
        let help = try await run(["help", "lease", "run"], in: directory)
        #expect(help.status == 0 && help.stdout.contains("USAGE: exe-cli lease run"))
        #expect(try await vmNames() == before, "no VM was created")
        let claims = try sim.home.file("state/exe/leases")
        let claimFiles = (try? FileManager.default.contentsOfDirectory(atPath: claims)) ?? []
        #expect(claimFiles.filter { $0.hasSuffix(".json") }.isEmpty, "no lease was claimed: \(claimFiles)")
    }

    @Test("vm exec NAME -n -- CMD parses -n locally; --help after NAME prints help; --timeout and Ctrl-C stop the remote process group")
    func execOptionsAfterName() async throws {
        let sim = try sim
        #expect(try await sim.run(["vm", "new", "--name", "exec-opts-box"]).status == 0)
        // -n after NAME: stdin is not forwarded (so `cat` sees EOF at once), and "-n" is no remote word.
        let noStdin = try await sim.run(["vm", "exec", "exec-opts-box", "-n", "--", "sh", "-c", "cat; echo done"], stdin: Data("typed\n".utf8))
        #expect(noStdin.status == 0, "\(noStdin.stderr)")
        #expect(noStdin.stdout == "done\n")
        let help = try await sim.run(["vm", "exec", "exec-opts-box", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: exe-cli vm exec"), "\(help.stderr)")
        let bogus = try await sim.run(["vm", "exec", "exec-opts-box", "--bogus", "--", "true"])
        #expect(bogus.status == 2, "\(bogus.stderr)")

        // --timeout: exit 5 after about the timeout, and the remote `sleep` is gone (its process group got SIGINT/SIGKILL).
        let marker = String(Int.random(in: 3_700_000...3_799_999))
        let probe = "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep \(marker) ' || true"
        let clock = ContinuousClock()
        let began = clock.now
        let timedOut = try await sim.run(["vm", "exec", "--timeout", "2", "exec-opts-box", "--", "sleep", marker])
        #expect(timedOut.status == 5, "\(timedOut.stderr)")
        #expect(clock.now - began < .seconds(20))
        #expect(timedOut.stderr.contains("--timeout"), "\(timedOut.stderr)")
        let afterTimeout = try await sim.run(["vm", "exec", "exec-opts-box", "--", probe])
        #expect(afterTimeout.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the remote sleep still runs after --timeout")

        // Ctrl-C: exit 130, and the remote command is gone.
        let binary = try #require(CLIProcessTests.binary)
        let log = sim.home.file("exec-interrupt.log")
        let child = try ChildProcess.spawn(
            binary, ["vm", "exec", "exec-opts-box", "--", "sleep", marker], environment: sim.environment(), stdout: .appendToFile(log),
            stderr: .appendToFile(log))
        var running = false
        let deadline = clock.now + .seconds(30)
        while !running, clock.now < deadline {
            let count = try await sim.run(["vm", "exec", "exec-opts-box", "--", probe])
            running = count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
            if !running { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(running, "the remote sleep started")
        child.signal(SIGINT)
        #expect(await child.exitStatus() == 130)
        let afterInterrupt = try await sim.run(["vm", "exec", "exec-opts-box", "--", probe])
        #expect(afterInterrupt.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the remote sleep still runs after Ctrl-C")

        // vm ssh with a non-terminal stdin: no pty, stdin and its EOF forwarded, the remote status is exe-cli's.
        let piped = try await sim.run(["vm", "ssh", "exec-opts-box"], stdin: Data("echo \"piped=$((6 * 7))\"; [ -t 0 ] || echo notty; exit 4\n".utf8))
        #expect(piped.status == 4, "\(piped.stderr)")
        #expect(piped.stdout.contains("piped=42\n") && piped.stdout.contains("notty\n"), "\(piped.stdout)")
        let eof = try await sim.run(["vm", "ssh", "exec-opts-box"], stdin: Data("echo before-eof\n".utf8))
        #expect(eof.status == 0 && eof.stdout.contains("before-eof"), "EOF ends the shell: \(eof.stderr)")
        #expect(try await sim.run(["vm", "rm", "exec-opts-box"]).status == 0)
    }

    @Test("exe-cli ls / new / rm at the top level are the vm commands, as with ssh exe.dev")
    func topLevelAliases() async throws {
        let sim = try sim
        let created = try await sim.run(["new", "--name", "alias-box"])
        #expect(created.status == 0, "\(created.stderr)")
        let listed = try await sim.run(["ls"])
        #expect(listed.status == 0 && listed.stdout.hasPrefix("NAME") && listed.stdout.contains("alias-box"), "\(listed.stderr)")
        let removed = try await sim.run(["rm", "alias-box", "--yes"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!(try await vmNames()).contains("alias-box"))
    }

    @Test("help: the command's own options first, global options once at the end; only options a command uses; every exit code")
    func helpLayout() async throws {
        let sim = try sim
        let exec = try await sim.run(["vm", "exec", "--help"])
        let own = try #require(exec.stdout.range(of: "\nOPTIONS:"), "\(exec.stdout)")
        let global = try #require(exec.stdout.range(of: "\nGLOBAL OPTIONS:"), "\(exec.stdout)")
        #expect(own.lowerBound < global.lowerBound)
        let sections = String(exec.stdout[own.lowerBound...])
        #expect(sections.components(separatedBy: "--control-host").count == 2, "the global options appear once: \(sections)")
        for command in [["vm", "exec"], ["vm", "ssh"]] {
            let help = try await sim.run(command + ["--help"])
            #expect(!help.stdout.contains("--json"), "\(command) prints no JSON, so it takes no --json")
        }
        for command in [["lease", "list"], ["lease", "stop"], ["lease", "gc"], ["lease", "ssh"], ["lease", "status"], ["lease", "touch"]] {
            let help = try await sim.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(!help.stdout.contains("--cpus") && !help.stdout.contains("--image"), "\(command) lists VM-shape options")
        }
        for command in [["deploy", "status"], ["deploy", "logs"], ["deploy", "unlock"]] {
            let help = try await sim.run(command + ["--help"])
            #expect(help.status == 0)
            #expect(!help.stdout.contains("--repository") && !help.stdout.contains("--builder"), "\(command) lists build options")
        }
        let root = try await sim.run(["--help"])
        for code in ["0 ok", "2 usage", "6 lease sync", "7 lease claim", "8 deploy lock", "9 release unhealthy", "130 interrupted"] {
            #expect(root.stdout.contains(code), "no \(code) in the exit code list")
        }
        #expect(root.stdout.contains("--generate-completion-script"))
        let completion = try await sim.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.stdout.contains("exe-cli"))
    }

    @Test("usage errors exit 2: lease warmup --ttl banana, a reserved VM name")
    func usageErrors() async throws {
        let directory = try scratchDirectory("usage")
        let before = try await vmNames()
        let ttl = try await run(["lease", "warmup", "--ttl", "banana"], in: directory)
        #expect(ttl.status == 2, "\(ttl.stderr)")
        #expect(ttl.stderr.hasPrefix("error: "), "one prefix: \(ttl.stderr)")
        let reserved = try await sim.run(["vm", "new", "--name", "admin"])
        #expect(reserved.status == 2, "\(reserved.stderr)")
        #expect(reserved.stderr.contains("not available"))
        #expect(try await vmNames() == before)
    }

    @Test("lease run outside a git work tree leaves well-known secrets out (and says so once); $HOME is never synced unasked")
    func leaseRunSecrets() async throws {
        let directory = try scratchDirectory("secrets")
        let files = [
            "app.txt": "app", ".ssh/id_ed25519": "KEY", ".aws/credentials": "AWS", ".env": "A=1", ".env.local": "B=2", "tls/server.pem": "PEM",
            "server.key": "KEY", "id_rsa": "RSA", "src/main.c": "int main;",
        ]
        for (path, text) in files {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        let output = try await run(["lease", "run", "--", "sh", "-c", "find . -type f ! -path './.exe-sync/*' | sort"], in: directory, timeout: .seconds(240))
        #expect(output.status == 0, "\(output.stderr)")
        let synced = Set(output.stdout.split(separator: "\n").map(String.init))
        #expect(synced.contains("./app.txt") && synced.contains("./src/main.c"), "\(synced)")
        for secret in [".ssh/id_ed25519", ".aws/credentials", ".env", ".env.local", "tls/server.pem", "server.key", "id_rsa"] {
            #expect(!synced.contains("./" + secret), "\(secret) was synced")
        }
        #expect(output.stderr.components(separatedBy: "secret-looking").count == 2, "said once: \(output.stderr)")

        let before = try await vmNames()
        let home = try await run(["lease", "run", "--", "true"], in: try sim.home.path, timeout: .seconds(60))
        #expect(home.status == 2, "\(home.stderr)")
        #expect(home.stderr.contains("--allow-home-sync"))
        #expect(try await vmNames() == before)
    }

    @Test("an exe.deploy.yaml that fails to load is exit 2 naming the file; status/logs/unlock need no image repository")
    func deployConfigurationErrors() async throws {
        let directory = try scratchDirectory("deploy")
        let before = try await vmNames()
        var bytes = Data("version: 1\napp: broken-app\nimage:\n  repository: 127.0.0.1:5000/broken\n# caf".utf8)
        bytes.append(0xE9)
        bytes.append(contentsOf: Array("\n".utf8))
        try bytes.write(to: URL(fileURLWithPath: directory + "/exe.deploy.yaml"))
        for command in [["deploy"], ["deploy", "status"], ["deploy", "--image", "127.0.0.1:5000/x:1"]] {
            let result = try await run(command, in: directory)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("exe.deploy.yaml") && result.stderr.contains("UTF-8"), "\(command): \(result.stderr)")
        }
        #expect(try await vmNames() == before, "no VM named after the directory")

        try "version: 1\napp: first-app\npattern: replace\napp: second-app\n".write(toFile: directory + "/exe.deploy.yaml", atomically: true, encoding: .utf8)
        let repeated = try await run(["deploy", "status"], in: directory)
        #expect(repeated.status == 2 && repeated.stderr.contains("exe.deploy.yaml") && repeated.stderr.contains("\"app\" appears twice"), "\(repeated.status) \(repeated.stderr)")

        try "version: 1\napp: incident-app\n".write(toFile: directory + "/exe.deploy.yaml", atomically: true, encoding: .utf8)
        for command in [["deploy", "status"], ["deploy", "logs"], ["deploy", "unlock", "--yes"]] {
            let result = try await run(command, in: directory)
            #expect(!result.stderr.contains("image repository"), "\(command) demands image.repository: \(result.stderr)")
            #expect(result.status == 3, "\(command): the VM incident-app does not exist: \(result.status) \(result.stderr)")
        }
    }

    @Test("--json is one compact object with snake_case keys everywhere; generate-api-key's text is the token alone")
    func jsonStyle() async throws {
        let sim = try sim
        let directory = try scratchDirectory("json")
        let leases = try await run(["lease", "list", "--json"], in: directory)
        #expect(leases.status == 0, "\(leases.stderr)")
        #expect(leases.stdout.split(separator: "\n").count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: leases.standardOutput) as? [String: Any], "\(leases.stdout)")
        #expect(object["leases"] as? [Any] != nil)
        let warm = try await run(["lease", "warmup", "--json"], in: directory, timeout: .seconds(240))
        #expect(warm.status == 0, "\(warm.stderr)")
        let claim = try #require(try JSONSerialization.jsonObject(with: warm.standardOutput) as? [String: Any], "\(warm.stdout)")
        #expect(claim["lease_id"] is String && claim["remote_directory"] is String && claim["leaseID"] == nil, "\(claim.keys.sorted())")
        let id = try #require(claim["lease_id"] as? String)
        let stoppedOutput = try await run(["lease", "stop", id, "--json"], in: directory, timeout: .seconds(120))
        #expect(stoppedOutput.status == 0, "\(stoppedOutput.stderr)")
        #expect((try JSONSerialization.jsonObject(with: stoppedOutput.standardOutput) as? [String: Any])?["leases"] != nil, "\(stoppedOutput.stdout)")

        let token = try await sim.run(["ssh-key", "generate-api-key", "--label", "newcomer"])
        #expect(token.status == 0, "\(token.stderr)")
        #expect(token.stdout.split(separator: "\n").count == 1 && !token.stdout.contains("label"), "only the token on stdout: \(token.stdout)")
        #expect(token.stderr.contains("newcomer"))
    }

    @Test("errors in the user's words: a public key as identity, the host-key flag, a ProxyJump refused, no NSURLErrorDomain")
    func errorWording() async throws {
        let sim = try sim
        let publicKey = try await sim.run(["vm", "ls"], extra: ["EXE_IDENTITY": sim.key.publicPath])
        #expect(publicKey.status == 4, "\(publicKey.stderr)")
        #expect(publicKey.stderr.contains("this is a public key; pass the private key"), "\(publicKey.stderr)")
        #expect(publicKey.stderr.components(separatedBy: "error:").count == 2, "one prefix: \(publicKey.stderr)")

        let unknownHost = try sim.home.write("no_known_hosts", "")
        let hostKey = try await sim.run(["vm", "ls"], extra: ["EXE_KNOWN_HOSTS": unknownHost])
        #expect(hostKey.status == 4)
        #expect(hostKey.stderr.contains("--host-key-policy accept-new"), "\(hostKey.stderr)")

        let sshDirectory = sim.home.file(".ssh")
        try FileManager.default.createDirectory(atPath: sshDirectory, withIntermediateDirectories: true)
        try "Host \(sim.harness.controlHost)\n  ProxyJump bastion.invalid\n".write(toFile: sshDirectory + "/config", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: sshDirectory + "/config") }
        let proxied = try await sim.run(["vm", "ls"])
        #expect(proxied.status == 2, "\(proxied.stderr)")
        #expect(proxied.stderr.contains("ProxyJump bastion.invalid"), "\(proxied.stderr)")
        try FileManager.default.removeItem(atPath: sshDirectory + "/config")

        let refused = try await sim.run(
            ["vm", "ls"], extra: ["EXE_TRANSPORT": "https", "EXE_API_TOKEN": "exe1.not-a-real-token", "EXE_API_URL": "http://127.0.0.1:\(LoopbackPort.free())/exec"])
        #expect(refused.status == 5, "\(refused.stderr)")
        #expect(!refused.stderr.contains("NSURLErrorDomain") && refused.stderr.contains("cannot connect"), "\(refused.stderr)")
    }

    @Test("destructive commands confirm on a terminal (no changes on 'n'), not with --yes, not without a terminal")
    func confirmation() async throws {
        let sim = try sim
        let binary = try #require(CLIProcessTests.binary)
        #expect(try await sim.run(["vm", "new", "--name", "confirm-box"]).status == 0)
        let declined = try await LocalProcessRunner().run(ProcessInvocation(
            "script", ["-qec", ShellQuote.command([binary, "vm", "rm", "confirm-box"]), "/dev/null"], environment: sim.environment(),
            standardInput: Data("n\n".utf8), timeout: .seconds(60)))
        #expect(declined.status == 1, "\(declined.stdout)")
        #expect(declined.stdout.contains("Delete the VM confirm-box"), "\(declined.stdout)")
        #expect(try await vmNames().contains("confirm-box"), "a 'n' answer deletes nothing")
        let accepted = try await LocalProcessRunner().run(ProcessInvocation(
            "script", ["-qec", ShellQuote.command([binary, "vm", "rm", "confirm-box"]), "/dev/null"], environment: sim.environment(),
            standardInput: Data("y\n".utf8), timeout: .seconds(60)))
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(!(try await vmNames()).contains("confirm-box"))
        #expect(try await sim.run(["vm", "new", "--name", "confirm-box2"]).status == 0)
        let forced = try await LocalProcessRunner().run(ProcessInvocation(
            "script", ["-qec", ShellQuote.command([binary, "vm", "rm", "--yes", "confirm-box2"]), "/dev/null"], environment: sim.environment(),
            timeout: .seconds(60)))
        #expect(forced.status == 0 && !forced.stdout.contains("[y/N]"), "\(forced.stdout)")
        #expect(!(try await vmNames()).contains("confirm-box2"))
    }
}
