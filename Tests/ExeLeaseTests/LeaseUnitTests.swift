import ExeControl
import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Testing

/// Lease logic against a scripted control plane and in-memory VMs: no
/// simulator, no sshd, milliseconds per test. The end-to-end paths stay in
/// `LeaseEndToEndTests`.
@Suite("Leases against in-memory hosts")
struct LeaseUnitTests {
    /// A control plane that creates VMs named in `new --name=...`, lists
    /// none, and removes whatever it is asked to.
    static func control() -> ScriptedControlTransport {
        ScriptedControlTransport { line in
            if line.hasPrefix("ls") { return ScriptedControlTransport.emptyList }
            if line.hasPrefix("new "), let name = line.split(separator: " ").first(where: { $0.hasPrefix("--name=") })?.dropFirst(7) {
                return .prints(#"{"vm_name":"\#(name)","tags":[],"ssh_dest":"\#(name).exe.xyz","ssh_port":22,"https_url":"https://\#(name).exe.xyz"}"#)
            }
            if line.hasPrefix("rm ") {
                let name = line.split(separator: " ")[1]
                return .prints(#"{"deleted":["\#(name)"],"failed":[]}"#)
            }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
    }

    static func leases(
        control: ScriptedControlTransport, vms: InMemoryVMConnector, in directory: TemporaryDirectory
    ) throws -> Leases {
        let repository = directory.file("repo")
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        // Plain settings, made in code: no settings files are read.
        let settings = LeaseSettings(controlHost: "control.test", workRoot: "/work")
        return Leases(context: LeaseContext(
            control: control.client, controlHost: "control.test", claims: LeaseClaimStore(directory: directory.file("leases")),
            settings: settings, vms: vms, repositoryRoot: repository, readinessTimeout: .seconds(5)))
    }

    /// A VM with the tools a sync needs.
    static func readyVM() -> InMemoryRemoteHost {
        let vm = InMemoryRemoteHost()
        // The VM's shell prints the marker the lobby cannot (VMReadiness).
        vm.answer(prefix: "for t in sh tar") { _ in .exited(0, stdout: VMReadiness.marker + "\n") }
        return vm
    }

    @Test("lease run: a one-shot lease is warmed up, runs the command, passes its exit code and output through, and is stopped")
    func runPassesExitCodeThrough() async throws {
        let directory = try TemporaryDirectory(prefix: "lease-unit")
        defer { directory.remove() }
        let vm = Self.readyVM()
        // One word is a script: the run wrapper (Scripts/run.sh) gets it as its last argument.
        vm.answer(when: { $0.hasSuffix(" with-environment 'exit 3'") }) { call in
            // The run's environment arrives on stdin, never in the command line.
            #expect(String(decoding: call.stdin, as: UTF8.self).contains("EXE_LEASE_ID"))
            return .exited(3, stdout: "out\n", stderr: "err\n")
        }
        let control = Self.control()
        let leases = try Self.leases(control: control, vms: InMemoryVMConnector(fallback: vm), in: directory)
        var request = LeaseRunRequest(lease: nil, arguments: ["exit 3"])
        request.sync = false
        let output = OutputCollector()
        let result = try await leases.run(request, output: collectOutput(output))

        #expect(result.status == .exited(3))
        #expect(result.timing.exitCode == 3 && result.timing.leaseStopped && !result.timing.interrupted)
        #expect(output.stdout == "out\n" && output.stderr == "err\n")
        #expect(control.commandLines.contains { $0.hasPrefix("rm exe-") }, "stopped: \(control.commandLines)")
        #expect(leases.context.claims.all().claims.isEmpty, "the claim is gone with the VM")
        #expect(vm.closeCount == vm.connectionCount, "every connection closed: \(vm.closeCount) of \(vm.connectionCount)")
        let problems = try await ShellSyntax.problems(vm.commandLines)
        #expect(problems.isEmpty, "the lease's scripts: \(problems)")
    }

    @Test("warmup: a VM without tar is not ready; the VM is removed and the claim forgotten")
    func warmupMissingToolRemovesVM() async throws {
        let directory = try TemporaryDirectory(prefix: "lease-unit")
        defer { directory.remove() }
        let vm = InMemoryRemoteHost()
        vm.answer(prefix: "for t in sh tar") { _ in .exited(0, stdout: "tar\n" + VMReadiness.marker + "\n") }
        let control = Self.control()
        let leases = try Self.leases(control: control, vms: InMemoryVMConnector(fallback: vm), in: directory)
        let error = await #expect(throws: LeaseError.self) { try await leases.warmup(WarmupRequest()) }
        #expect(error?.kind == .notReady && error?.message.contains("tar") == true, "\(String(describing: error))")
        #expect(control.commandLines.contains { $0.hasPrefix("rm exe-") })
        #expect(leases.context.claims.all().claims.isEmpty)
    }

    @Test("a lease's VM that cannot be reached is a LeaseError of kind vm wrapping the SSHError, as deploy wraps lower layers")
    func unreachableVMIsWrapped() async throws {
        let directory = try TemporaryDirectory(prefix: "lease-unit")
        defer { directory.remove() }
        let control = Self.control()
        let warm = try Self.leases(control: control, vms: InMemoryVMConnector(fallback: Self.readyVM()), in: directory)
        let claim = try await warm.warmup(WarmupRequest(keep: true))
        // The same claims, but no host answers any more.
        let unreachable = try Self.leases(control: control, vms: InMemoryVMConnector(hosts: [:]), in: directory)
        let error = await #expect(throws: LeaseError.self) { _ = try await unreachable.host(claim) }
        #expect(error?.kind == .vm && error?.underlying is SSHError, "\(String(describing: error))")
        #expect(error?.message.contains("refused") == true, "\(String(describing: error))")
        let wrapped = await #expect(throws: LeaseError.self) { _ = try await unreachable.resumingIfPaused(claim) { try await unreachable.host(claim) } }
        #expect(wrapped?.kind == .vm && wrapped?.underlying is SSHError, "\(String(describing: wrapped))")
    }
}

/// The work-tree sync against a host whose commands run in a local shell
/// (the sync uses commands only, no file transfers), so its scripts and its
/// incremental plan are exercised without SSH.
@Suite("Work-tree sync through a local shell")
struct LocalShellSyncTests {
    /// A host that runs every command with the local `/bin/sh`.
    static func localShellHost() -> InMemoryRemoteHost {
        let host = InMemoryRemoteHost()
        host.answer(when: { _ in true }) { call in
            let output = try await LocalProcessRunner().run(ProcessInvocation("/bin/sh", ["-c", call.command], standardInput: call.stdin))
            return CommandResult(status: .exited(output.status), standardOutput: output.standardOutput, standardError: output.standardError)
        }
        return host
    }

    @Test("the second sync sends only the changed file and deletes the removed one; a third is up to date")
    func incremental() async throws {
        let directory = try TemporaryDirectory(prefix: "sync-unit")
        defer { directory.remove() }
        let repository = try await directory.gitRepository("repo", files: ["a.txt": "one\n", "b.txt": "two\n", "src/c.txt": "three\n"])
        let remote = directory.file("vm/work/repo")
        let host = Self.localShellHost()
        let sync = WorkTreeSync(connection: host, localRoot: repository, remoteDirectory: remote)
        let options = SyncOptions(cacheDirectory: directory.file("cache"))

        let first = try await sync.run(options)
        #expect(first.filesSent == 3 && !first.upToDate)
        #expect(try String(contentsOfFile: remote + "/src/c.txt", encoding: .utf8) == "three\n")

        try directory.write("repo/a.txt", "one, changed\n")
        try FileManager.default.removeItem(atPath: repository + "/b.txt")
        try await LocalProcessRunner().check(ProcessInvocation("git", ["-C", repository, "add", "-A"]))
        let second = try await sync.run(options)
        #expect(second.filesSent == 1 && second.filesDeleted == 1, "\(second)")
        #expect(try String(contentsOfFile: remote + "/a.txt", encoding: .utf8) == "one, changed\n")
        #expect(!FileManager.default.fileExists(atPath: remote + "/b.txt"))

        let third = try await sync.run(options)
        #expect(third.upToDate && third.filesSent == 0)
        let problems = try await ShellSyntax.problems(host.commandLines)
        #expect(problems.isEmpty, "the sync's scripts: \(problems)")
    }
}
