import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation

/// Compares control-plane calls through ExeControl (one SSH connection,
/// commands as channels) with what the seeds and Crabbox do today: one
/// OpenSSH `ssh HOST ls --json` process per call; OpenSSH with
/// ControlMaster for reference; and concurrent calls through the library.
/// One run, one local `exe-sim`, the same `ls --json` everywhere.
///
/// Usage: `swift run -c release control-benchmark [--count N] [--concurrent N] [--vms N]`.
/// The simulator is `EXE_SIM_BINARY`, or `exe-sim` next to this executable
/// (`swift build -c release --product exe-sim` first).
@main
struct ControlBenchmark {
    static func main() async throws {
        let count = BenchmarkReport.option("--count", default: 100)
        let concurrent = BenchmarkReport.option("--concurrent", default: 50)
        let vmCount = BenchmarkReport.option("--vms", default: 3)

        let keys = try TemporaryDirectory(prefix: "control-benchmark")
        let harness: SimulatorHarness
        do {
            let key = try await SSHKeyPair.generate(type: "ed25519", at: keys.file("client"), comment: "benchmark")
            harness = try await SimulatorHarness.start(authorizedKeys: [key.publicPath])
        } catch {
            keys.remove()
            throw error
        }
        do {
            try await run(harness: harness, keys: keys, count: count, concurrent: concurrent, vmCount: vmCount)
        } catch {
            try? await harness.stop()
            keys.remove()
            throw error
        }
        try await harness.stop()
        keys.remove()
    }

    static func run(harness: SimulatorHarness, keys: TemporaryDirectory, count: Int, concurrent: Int, vmCount: Int) async throws {
        let key = keys.file("client")
        let clock = ContinuousClock()
        func makeClient() -> (ControlClient, SSHControlTransport) {
            let transport = SSHControlTransport(configuration: .init(
                destination: harness.controlDestination, ssh: harness.clientConfiguration(identity: key), commandTimeout: .seconds(120)))
            return (ControlClient(transport: transport), transport)
        }

        // A few VMs, so `ls --json` has something to say.
        let (setup, _) = makeClient()
        for index in 0..<vmCount { _ = try await setup.create(NewVMOptions(name: "bench-vm-\(index)", tags: ["bench"])) }
        let expected = try await setup.list().vms.count
        await setup.close()

        print("control-benchmark: \(count) sequential `ls --json` (\(expected) VMs), \(concurrent) concurrent, against exe-sim on \(harness.controlHost):\(harness.controlPort)")
        print("  exe-sim: \(harness.executable)")

        // ExeControl: a fresh client, so the handshake is counted.
        let (client, transport) = makeClient()
        let library = try await clock.measure {
            for _ in 0..<count {
                let list = try await client.list()
                guard list.vms.count == expected else { throw BenchmarkError("ls returned \(list.vms.count) VMs") }
            }
        }
        let connections = await transport.pool.connectionsOpened

        // OpenSSH, one process per call.
        let runner = LocalProcessRunner()
        let sshBase = harness.sshOptions(key: key, port: harness.controlPort)
        let destination = "\(harness.user)@\(harness.controlHost)"
        func openSSH(_ options: [String]) async throws {
            let output = try await runner.run(ProcessInvocation("ssh", options + [destination, "ls --json"], timeout: .seconds(60)))
            guard output.status == 0, output.stdout.hasPrefix("{\"vms\":") else {
                throw BenchmarkError("ssh ls --json failed (\(output.status)): \(output.stdout)\(output.stderr)")
            }
        }
        let perProcess = try await clock.measure {
            for _ in 0..<count { try await openSSH(sshBase) }
        }

        // OpenSSH with ControlMaster: one master, a client process per call.
        let multiplexed = sshBase + [
            "-o", "ControlMaster=auto", "-o", "ControlPath=\(keys.file("cm-%C"))", "-o", "ControlPersist=60",
        ]
        let controlMaster = try await clock.measure {
            for _ in 0..<count { try await openSSH(multiplexed) }
        }
        _ = try? await runner.run(ProcessInvocation("ssh", multiplexed + ["-O", "exit", destination], timeout: .seconds(10)))

        // Concurrent calls through the library, on the connection above.
        let parallel = try await clock.measure {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrent { group.addTask { try await client.list().vms.count } }
                for try await listed in group where listed != expected {
                    throw BenchmarkError("ls returned \(listed) VMs")
                }
            }
        }
        let sequentialSame = try await clock.measure {
            for _ in 0..<concurrent { _ = try await client.list() }
        }
        let allConnections = await transport.pool.connectionsOpened
        await client.close()

        func row(_ name: String, _ duration: Duration, _ n: Int, baseline: Duration) {
            BenchmarkReport.row(name, duration, operations: n, unit: "call", baseline: baseline)
        }
        let seconds = BenchmarkReport.seconds
        print("  (ratio: time relative to ExeControl; higher means slower than ExeControl)")
        row("ExeControl, one SSH connection (incl. handshake)", library, count, baseline: library)
        row("OpenSSH ssh, one process per call", perProcess, count, baseline: library)
        row("OpenSSH ssh with ControlMaster", controlMaster, count, baseline: library)
        print("  \(concurrent) calls through ExeControl on the same connection:")
        row("  concurrent", parallel, concurrent, baseline: parallel)
        row("  sequential", sequentialSame, concurrent, baseline: parallel)
        print(String(format: "  ExeControl is %.1fx faster than one ssh process per call; SSH connections opened: %d (%d after the concurrent run)",
                     seconds(perProcess) / seconds(library), connections, allConnections))
        BenchmarkReport.target("at least 3x faster than one ssh per call", ratio: seconds(library) / seconds(perProcess), limit: 1.0 / 3)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
