import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// `up` is idempotent, `status` reports, `down` stops everything by pid;
    /// without a container runtime image VMs exist and `https_url` says why
    /// nothing answers.
    @Suite(.timeLimit(.minutes(4)))
    struct LifecycleTests {
        @Test func upIsIdempotentAndDownStopsEverything() async throws {
            let sim = try await SimulatorFixture.start(environment: ["EXE_SIM_CONTAINER_RUNTIME": "none"])
            do {
                try await exercise(sim)
            } catch {
                try? await sim.stop()
                throw error
            }
            try await sim.stop()
        }

        private func exercise(_ sim: SimulatorFixture) async throws {
            let harness = sim.harness
            let runner = LocalProcessRunner()
            let again = try await runner.run(ProcessInvocation(harness.executable, ["up", "--state", harness.stateDirectory], timeout: .seconds(60)))
            #expect(again.status == 0)
            let exports = SimulatorHarness.parseExports(again.stdout)
            #expect(exports["EXE_CONTROL_HOST"] == "127.0.0.1:\(harness.controlPort)")
            #expect(exports["EXE_API_URL"] == harness.apiURL)
            #expect(exports["EXE_REGISTRY_PASSWORD"] == harness.registryPassword.reveal())

            let image = try await ContainerTests.pushImage(sim, name: "noruntime", port: 8080, expose: [8080], page: "x\n")
            let auth = "\(harness.registryUser):\(harness.registryPassword.reveal())"
            let created = try await harness.sshSecret("new --name=no-runtime --image=\(image) --registry-auth=\(auth) --json", key: sim.key)
            let vm = try JSONLines.object(created.stdout)
            #expect(vm["proxy_port"] as? Int == 8080)
            let url = try #require(vm["https_url"] as? String)
            _ = try await harness.sshSecret("share set-public no-runtime --json", key: sim.key)
            let answer = try await runner.run(ProcessInvocation("curl", ["-s", "-w", "\n%{http_code}"] + harness.curlConnectTo + [url], timeout: .seconds(30)))
            #expect(answer.stdout.hasSuffix("\n503"))
            #expect(answer.stdout.contains("no container runtime works on this machine"))

            let status = try await runner.run(ProcessInvocation(harness.executable, ["status", "--state", harness.stateDirectory], timeout: .seconds(60)))
            #expect(status.status == 0)
            #expect(status.stdout.contains("vm no-runtime: running"))
            let paths = SimPaths(root: harness.stateDirectory)
            let pidFiles = [paths.daemonPID, paths.controlDirectory + "/sshd.pid", paths.registryDirectory + "/registry.pid"]
            let pids = pidFiles.compactMap(ProcessTree.readPID)
            #expect(pids.count == 3 && pids.allSatisfy(ProcessTree.isAlive))
            let vmPort = try #require(vm["ssh_port"] as? Int)

            let down = try await runner.run(ProcessInvocation(harness.executable, ["down", "--state", harness.stateDirectory], timeout: .seconds(120)))
            #expect(down.status == 0)
            #expect(!pids.contains(where: ProcessTree.isAlive))
            #expect(!LoopbackSocket.isListening(harness.controlPort) && !LoopbackSocket.isListening(vmPort))
            let after = try await runner.run(ProcessInvocation(harness.executable, ["status", "--state", harness.stateDirectory], timeout: .seconds(60)))
            #expect(after.status == 3)
        }
    }
}
