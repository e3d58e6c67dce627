import ExeControl
import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// Until a new VM's SSH route is live, exe.dev's lobby answers the VM's
/// address and accepts `true` (landscape doc: oscmcompany/fund#1048). The
/// simulator reproduces it for `EXE_SIM_LOBBY_WINDOW` seconds after `new`;
/// the lease warmup must wait for output only the VM produces.
@Suite("Readiness past the lobby", .serialized)
struct LobbyReadinessTests {
    @Test("`true` succeeds on a new VM's address while the lobby answers; the warmup waits until the VM itself answers")
    func warmupWaitsPastTheLobby() async throws {
        // Mostly the 30 s lobby window lapsing, polled by a few ssh calls.
        try await SimulatorGate.withTurn(label: "LobbyReadinessTests", load: .mostlyWaiting,
            start: { try await LeaseTestBed.start(simulatorEnvironment: ["EXE_SIM_LOBBY_WINDOW": "30"]) }, stop: { await $0.stop() }
        ) { bed in
            // The window counts from the start of `new`, so it ends no sooner than 30 s after this.
            let beforeNew = ContinuousClock.now
            let created = try await bed.simulator.ssh("new --name=lobby-probe --json", key: bed.key.privatePath)
            try #require(created.status == 0, "\(created.stdout)")
            let vm = try #require(try JSONSerialization.jsonObject(with: created.standardOutput) as? [String: Any])
            let port = try #require(vm["ssh_port"] as? Int)
            try #require(beforeNew.duration(to: .now) < .seconds(25), "the machine is too slow to probe the lobby")
            let early = try await bed.simulator.ssh(port: port, "true", key: bed.key.privatePath)
            #expect(early.status == 0)
            let probe = try await bed.simulator.ssh(port: port, VMReadiness.toolCheck, key: bed.key.privatePath)
            #expect(probe.status != 0 && probe.stdout.contains("command not found"), "\(probe.stdout)")
            #expect(!probe.stdout.split(separator: "\n").contains(Substring(VMReadiness.marker)))

            // A library user's first command on a new VM: VMConnector.waitUntilReady
            // returns only once the VM itself answers (a second VM, in its own window).
            let beforeSecond = ContinuousClock.now
            let second = try await bed.control().create(NewVMOptions(name: "lobby-wait"))
            let connector = SSHVMConnector(defaultUser: bed.simulator.user) { _ in bed.sshConfiguration() }
            async let waited: Void = connector.waitUntilReady(second, timeout: .seconds(90))
            // The same through the built exe-cli: `vm new --wait`, then a command that needs the VM.
            async let newWithWait = LeaseLifeCLITests.cli(bed, ["vm", "new", "--name", "lobby-cli", "--wait", "--json"])

            let leases = try bed.leases(readiness: .seconds(90))
            let claim = try await leases.warmup(WarmupRequest(slug: "lobby"))
            #expect(claim.state == .ready)
            #expect(beforeNew.duration(to: .now) >= .seconds(30))
            try await waited
            #expect(beforeSecond.duration(to: .now) >= .seconds(30), "waitUntilReady returned while the lobby answered")
            let uname = try await connector.withHost(second) { try await $0.run("uname -s", check: true) }
            #expect(uname.stdout == "Linux\n")
            let waitedNew = try await newWithWait
            #expect(waitedNew.status == 0, "\(waitedNew.stderr)")
            #expect(beforeSecond.duration(to: .now) >= .seconds(30))
            let exec = try await LeaseLifeCLITests.cli(bed, ["vm", "exec", "lobby-cli", "--", "uname", "-s"])
            #expect(exec.status == 0 && exec.stdout == "Linux\n", "\(exec.stdout) \(exec.stderr)")
            // A deadline inside the window is a timeout that says what answered.
            let third = try await bed.control().create(NewVMOptions(name: "lobby-short"))
            await #expect { try await connector.waitUntilReady(third, timeout: .seconds(3)) } throws: { error in
                (error as? ControlError)?.kind == .timeout && (error as? ControlError)?.message.contains("lobby answered") == true
            }
            // The VM itself answers now: its shell expands the variable the simulator sets in every VM.
            let after = try await bed.simulator.ssh(port: claim.sshPort, "echo \"$EXE_SIM_VM_NAME\"", key: bed.key.privatePath)
            #expect(after.status == 0 && after.stdout == claim.vmName + "\n", "\(after.stdout)")
            _ = try await leases.stop([claim.identity.id])
        }
    }
}
