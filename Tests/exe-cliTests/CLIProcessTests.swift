import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("The exe-cli binary against a scripted control plane")
struct CLIProcessTests {
    /// The built `exe-cli` (``BuiltProduct``).
    static var binary: String? { BuiltProduct.path("exe-cli") }

    func run(
        _ plane: ScriptedControlPlane, _ arguments: [String], knownHosts: String? = nil, stdin: Data? = nil
    ) async throws -> ProcessOutput {
        let binary = try #require(Self.binary, "exe-cli is not built")
        let environment = [
            "HOME": plane.server.directory.path, "USER": plane.server.user, "SSH_AUTH_SOCK": "",
            "EXE_CONTROL_HOST": plane.hostAndPort, "EXE_KNOWN_HOSTS": knownHosts ?? plane.server.knownHostsPath,
            "EXE_IDENTITY": plane.server.clientKey.privatePath, "EXE_TRANSPORT": "", "EXE_JSON": "", "EXE_API_TOKEN": "",
            // A connection holder of its own, which ends when the directory is removed with the server.
            "XDG_RUNTIME_DIR": plane.server.directory.file("run"), "EXE_PERSIST": "", "EXE_PERSIST_IDLE": "",
        ]
        return try await LocalProcessRunner().run(
            ProcessInvocation(binary, arguments, environment: environment, standardInput: stdin ?? Data(), timeout: .seconds(30)))
    }

    @Test("vm exec reaches the VM at its ssh_host/ssh_user/ssh_port, streams both outputs, forwards stdin, passes the exit status through")
    func exec() async throws {
        let plane = try await ScriptedControlPlane.start()
        defer { plane.stop() }
        let vm = try await LoopbackSSHServer.start()
        defer { vm.cleanUp() }
        // The VM trusts the control plane's client key; one known_hosts file knows both hosts.
        let authorized = try String(contentsOfFile: vm.directory.file("authorized_keys"), encoding: .utf8)
        try vm.directory.write("authorized_keys", authorized + plane.server.clientKey.publicKey + "\n", mode: 0o600)
        let knownHosts = try String(contentsOfFile: plane.server.knownHostsPath, encoding: .utf8)
            + String(contentsOfFile: vm.knownHostsPath, encoding: .utf8)
        let knownHostsPath = try vm.directory.write("both_known_hosts", knownHosts)
        try plane.setListOutput(
            #"{"vms":[{"vm_name":"a-box","ssh_dest":"\#(vm.user)@127.0.0.1","ssh_host":"127.0.0.1","ssh_user":"\#(vm.user)","ssh_port":\#(vm.port),"status":"running"}]}"#)

        let result = try await run(plane, ["vm", "exec", "a-box", "--", "sh", "-c", "echo out; echo err >&2; exit 7"], knownHosts: knownHostsPath)
        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")

        let piped = try await run(plane, ["vm", "exec", "a-box", "--", "tr a-z A-Z"], knownHosts: knownHostsPath, stdin: Data("hello\n".utf8))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "HELLO\n")

        let missing = try await run(plane, ["vm", "exec", "no-such-vm", "--", "true"], knownHosts: knownHostsPath)
        #expect(missing.status == 3)
    }

    @Test("environment variables are enough to reach the control plane; output, errors and exit codes")
    func endToEnd() async throws {
        let plane = try await ScriptedControlPlane.start()
        defer { plane.stop() }

        let table = try await run(plane, ["vm", "ls"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("NAME   STATUS   REGION"))
        #expect(table.stdout.contains("a-box  running  lax"))

        let json = try await run(plane, ["vm", "ls", "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"vm_name\":\"a-box\"") && json.stdout.split(separator: "\n").count == 1)

        let missing = try await run(plane, ["vm", "restart", "nope-vm"])
        #expect(missing.status == 3)
        #expect(missing.stderr == "error: VM \"nope-vm\" not found\n")
        #expect(missing.stdout.isEmpty)

        let partial = try await run(plane, ["vm", "rm", "gone-vm"])
        #expect(partial.status == 3, "\(partial.stderr)")

        let flagError = try await run(plane, ["whoami"])
        #expect(flagError.status == 2)
        #expect(flagError.stderr.contains("flag provided but not defined"))

        let usage = try await run(plane, ["vm", "rename", "a-box", "Not_Valid"])
        #expect(usage.status == 2)

        let added = try await run(plane, ["ssh-key", "add", "ssh-ed25519 AAAA me@laptop"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "Added key key-2.\n")
    }
}
