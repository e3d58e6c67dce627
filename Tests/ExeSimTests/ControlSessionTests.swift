@testable import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// A lifecycle that records calls instead of starting processes.
final class RecordingLifecycle: VMLifecycle, @unchecked Sendable {
    private let lock = NSLock()
    private var nextPort = 40000
    private(set) var calls: [String] = []

    private func record(_ call: String) {
        lock.lock()
        calls.append(call)
        lock.unlock()
    }

    func resolveImage(_ reference: String, registryAuth: Secret?) throws -> ResolvedImage {
        record("resolve \(reference)")
        return ResolvedImage(reference: reference, exposedPorts: [3000, 80], loginUser: nil)
    }
    func provision(_ vm: VMRecord, image: ResolvedImage?, registryAuth: Secret?) throws { record("provision \(vm.name)") }
    func destroy(_ vm: VMRecord) { record("destroy \(vm.name)") }
    func restart(_ vm: VMRecord) throws { record("restart \(vm.name)") }
    func copy(from source: VMRecord, to copy: VMRecord) throws { record("copy \(source.name) \(copy.name)") }
    func writeAuthorizedKeys(_ keys: [AccountKey]) throws { record("keys \(keys.count)") }
    func notifyDaemon() {}
    func allocatePorts() -> (ssh: Int, http: Int) {
        lock.lock()
        defer { lock.unlock() }
        nextPort += 2
        return (nextPort, nextPort + 1)
    }
}

struct FixedClock: SimClock {
    let date: Date
    func now() -> Date { date }
}

/// Control commands in-process against a temporary state, no processes.
@Suite struct ControlSessionTests {
    func environment(
        _ directory: TemporaryDirectory, _ lifecycle: RecordingLifecycle, now: Date = Date(timeIntervalSince1970: 1_800_000_000)
    ) -> ControlEnvironment {
        let configuration = SimConfiguration(
            stateDirectory: directory.path, executable: "/bin/false", user: "tester", home: "/home/tester", email: "t@example.com",
            controlPort: 1, apiPort: 2, registryPort: 5000, registryUser: "u", containerRuntimeAvailable: false,
            containerRuntimeProblem: "test", instanceID: "test")
        return ControlEnvironment(
            configuration: configuration, store: StateStore(paths: SimPaths(root: directory.path), defaultEmail: "t@example.com"),
            lifecycle: lifecycle, clock: FixedClock(date: now))
    }

    @Test("the state keeps a VM's creation time to the fraction of a second, so the lobby window (which counts from it) is as long as EXE_SIM_LOBBY_WINDOW says")
    func creationTimeKeepsFractionalSeconds() throws {
        let directory = try TemporaryDirectory(prefix: "exe-sim-unit")
        defer { directory.remove() }
        let created = Date(timeIntervalSince1970: 1_800_000_000.75)
        let env = environment(directory, RecordingLifecycle(), now: created)
        #expect(run("new --name=fraction", env).exitStatus == 0)
        let vm = try #require(try env.store.snapshot().vm(named: "fraction"))
        #expect(abs(vm.createdAt.timeIntervalSince(created)) < 0.001, "stored \(vm.createdAt), created \(created)")
        // The API still prints whole seconds.
        #expect(run("ls --json", env).output.contains("\"created_at\":\"2027-01-15T08:00:00Z\""))
    }

    func run(_ line: String, _ environment: ControlEnvironment, transport: CommandArrival = .ssh) -> CommandReply {
        ControlSession(environment: environment, request: ReceivedCommand(commandLine: line, transport: transport, callerFingerprint: nil)).run()
    }

    @Test func imageVMsGetTheRealProxyPortAndLifecycleCalls() throws {
        let directory = try TemporaryDirectory(prefix: "exe-sim-unit")
        defer { directory.remove() }
        let lifecycle = RecordingLifecycle()
        let env = environment(directory, lifecycle)
        let created = run("new --name=unit-vm --image=127.0.0.1:5000/app:1 --json", env)
        #expect(created.exitStatus == 0)
        #expect(created.output.contains("\"proxy_port\":80"))
        #expect(created.output.contains("\"ssh_dest\":\"tester@127.0.0.1\""))
        let listed = run("ls --json", env)
        #expect(listed.output.contains("\"created_at\":\"2027-01-15T08:00:00Z\""))
        #expect(listed.output.contains("\"image\":\"127.0.0.1:5000/app:1\""))
        #expect(run("rm unit-vm --json", env).output == "{\"deleted\":[\"unit-vm\"],\"failed\":[]}\n")
        #expect(lifecycle.calls == ["resolve 127.0.0.1:5000/app:1", "provision unit-vm", "destroy unit-vm"])
    }

    @Test("cp --disk smaller than the source is refused with the exelet's text (exelet/services/compute/clone_instance.go, printed as is by execore/ssh_cp_command.go after its Copying line) and leaves no VM; a larger disk is taken")
    func copyRefusesASmallerDisk() throws {
        let directory = try TemporaryDirectory(prefix: "exe-sim-unit")
        defer { directory.remove() }
        let lifecycle = RecordingLifecycle()
        let env = environment(directory, lifecycle)
        #expect(run("new --name=disk-source --disk=30", env).exitStatus == 0)
        let source = try #require(try env.store.snapshot().vm(named: "disk-source"))
        let refused = run("cp disk-source disk-small --disk=20", env)
        #expect(refused.exitStatus == 1)
        // The handler prints its progress line before the exelet refuses the clone.
        #expect(refused.output == "Copying disk-source to disk-small...\ndisk size cannot be smaller than source (\(source.diskBytes) bytes)\n")
        #expect(run("cp disk-source disk-small --disk=20 --json", env).output
            == "{\"error\":\"disk size cannot be smaller than source (\(source.diskBytes) bytes)\"}\n")
        #expect(try env.store.snapshot().vm(named: "disk-small") == nil)
        #expect(!lifecycle.calls.contains("copy disk-source disk-small"))
        #expect(run("cp disk-source disk-large --disk=40", env).exitStatus == 0)
        let large = try #require(try env.store.snapshot().vm(named: "disk-large"))
        #expect(large.diskBytes > source.diskBytes)
    }

    @Test("ls and ls -l are handleListCommand's text: colours written, tabwriter columns (padding 2) laid out with the escapes counted, then ANSIFilterWriter strips them without a terminal (execore/ssh_command_handlers.go, exemenu/command_system.go)")
    func listTextIsTheServersLayout() throws {
        let directory = try TemporaryDirectory(prefix: "exe-sim-unit")
        defer { directory.remove() }
        let env = environment(directory, RecordingLifecycle())
        #expect(run("new --name=alpha --tag=web --tag=prod --comment=front", env).exitStatus == 0)
        #expect(run("new --name=beta-longer-name --image=127.0.0.1:5000/app:1", env).exitStatus == 0)
        try env.store.update { state in state.vms[1].status = "paused" }
        // The name column is as wide as the widest bold name plus 2; the status
        // column counts "\e[1;32m" for running but no colour for paused, so
        // after stripping, paused is followed by 7 more spaces than running.
        let long = run("ls -l", env)
        #expect(long.output == """
            beta-longer-name.exe.xyz  paused          lax  2027-01-15T08:00:00Z  -                                       http://beta-longer-name.exe-sim.localhost  \n\
            alpha.exe.xyz             running  lax  2027-01-15T08:00:00Z  http://alpha.shelley.exe-sim.localhost  http://alpha.exe-sim.localhost              #prod #web  # front\n
            """, "\(long.output)")
        #expect(run("ls", env).output == """
            Your VMs:
              • beta-longer-name.exe.xyz - paused (127.0.0.1:5000/app:1)
              • alpha.exe.xyz - running #prod #web # front

            """)
        // With a terminal (`ssh -t`), the escapes stay.
        let terminal = ControlSession(
            environment: env, request: ReceivedCommand(commandLine: "ls -l", transport: .ssh, callerFingerprint: nil, hasTerminal: true)
        ).run()
        #expect(terminal.output.contains("\u{1B}[1malpha.exe.xyz\u{1B}[0m             \u{1B}[1;32mrunning\u{1B}[0m  lax"), "\(terminal.output)")
        #expect(terminal.output.contains("\u{1B}[36m #prod #web\u{1B}[0m  \u{1B}[2m# front\u{1B}[22m\n"), "\(terminal.output)")
        // Over HTTPS there is never a terminal; and only exeuntu VMs have a Shelley URL.
        let listed = run("ls", env, transport: .https).output
        #expect(listed.contains("\"shelley_url\":\"http://alpha.shelley.exe-sim.localhost\""))
        #expect(!listed.contains("beta-longer-name.shelley"))
    }

    @Test("ANSIFilter removes CSI, OSC and two-byte escapes and turns CRLF into LF, as ansi.Strip behind ANSIFilterWriter does")
    func ansiFilterStripsEscapes() {
        #expect(ANSIFilter.strip("\u{1B}[1;32mok\u{1B}[0m\r\n") == "ok\n")
        #expect(ANSIFilter.strip("a\u{1B}]8;;http://x\u{07}link\u{1B}]8;;\u{1B}\\b") == "alinkb")
        #expect(ANSIFilter.strip("x\u{1B}7y\u{1B}8z") == "xyz")
        #expect(ANSIFilter.strip("\u{1B}(Bplain\u{1B}(0") == "plain")
        #expect(ANSIFilter.strip("tab\tbell\u{07}") == "tab\tbell\u{07}")
        // An ESC inside a string sequence starts the next sequence; BEL ends only OSC;
        // CAN aborts; a control character inside a sequence is executed (kept);
        // a non-ASCII character ends a sequence and is kept; CRLF is joined after stripping.
        #expect(ANSIFilter.strip("\u{1B}]0;t\u{1B}[31mred") == "red")
        #expect(ANSIFilter.strip("\u{1B}Pa\u{07}b\u{1B}\\c") == "c")
        #expect(ANSIFilter.strip("\u{1B}[31\u{18}x") == "x")
        #expect(ANSIFilter.strip("\u{1B}[3\n1m") == "\n")
        #expect(ANSIFilter.strip("\u{1B}[•x") == "•x")
        #expect(ANSIFilter.strip("a\r\u{1B}[0m\nb") == "a\nb")
        #expect(ANSIFilter.strip("unterminated \u{1B}[31") == "unterminated ")
        #expect(ANSIFilter.strip("lone\rcarriage\r") == "lone\rcarriage\r")
        #expect(ANSIFilter.strip("• unchanged") == "• unchanged")
    }

    @Test func httpsForcesJSONEvenForParseErrors() throws {
        let directory = try TemporaryDirectory(prefix: "exe-sim-unit")
        defer { directory.remove() }
        let env = environment(directory, RecordingLifecycle())
        #expect(run("ls -la", env, transport: .https).output == "{\"error\":\"flag parsing error: flag provided but not defined: -la\"}\n")
        #expect(run("ls -la --json", env).output == "flag parsing error: flag provided but not defined: -la\n")
        #expect(run("ls", env, transport: .https).output == "{\"vms\":[]}\n")
        #expect(run("integrations add reflection --name=r2", env, transport: .https).output.isEmpty)
    }

    @Test func vmsKeepTheirRegionAndOldStateWithoutOneStillLoads() throws {
        let directory = try TemporaryDirectory(prefix: "exe-sim-unit")
        defer { directory.remove() }
        let env = environment(directory, RecordingLifecycle())
        #expect(run("new --name=old-region --json", env).exitStatus == 0)
        #expect(run("set-region fra --json", env).exitStatus == 0)
        #expect(run("new --name=new-region --json", env).exitStatus == 0)
        #expect(run("cp old-region old-region-copy --json", env).exitStatus == 0)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(run("ls --json", env).output.utf8)) as? [String: Any])
        let listedVMs = try #require(listed["vms"] as? [[String: Any]])
        func region(_ name: String) -> String? { listedVMs.first { $0["vm_name"] as? String == name }?["region"] as? String }
        #expect(region("old-region") == "lax")
        #expect(region("new-region") == "fra")
        #expect(region("old-region-copy") == "lax")

        // A state file written before VMs had a region: the VM reports the account's region.
        let statePath = SimPaths(root: directory.path).state
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statePath))) as? [String: Any])
        var vms = try #require(state["vms"] as? [[String: Any]])
        for index in vms.indices { vms[index].removeValue(forKey: "region") }
        state["vms"] = vms
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: statePath))
        let legacy = run("ls --json", env)
        #expect(legacy.exitStatus == 0)
        #expect(legacy.output.components(separatedBy: #""region":"fra""#).count == 4)
    }
}
