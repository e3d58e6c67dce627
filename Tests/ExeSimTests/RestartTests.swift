import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// `exe-sim down` then `up`: every VM that was running comes back with
    /// its containers (its image and its compose services), answering at
    /// the same URL. On exe.dev a VM does not stop because a client went
    /// away; the simulator keeps the containers `down` stopped and starts
    /// them again (`Docs/exe-sim.md`, Processes).
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct RestartTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        @Test func downThenUpBringsBackImageAndComposeContainers() async throws {
            let sim = try sim
            let harness = sim.harness
            let image = try await ContainerTests.pushImage(sim, name: "restart", port: 8080, expose: [8080], page: "back again\n")
            let auth = "\(harness.registryUser):\(harness.registryPassword.reveal())"
            let created = try await harness.sshSecret("new --name=restart-image --image=\(image) --registry-auth=\(auth) --json", key: sim.key)
            #expect(created.status == 0, "\(created.stdout)")
            let imageURL = try #require(try JSONLines.object(created.stdout)["https_url"] as? String)
            _ = try await sim.json("share set-public restart-image --json")

            let composeVM = try await sim.newVM("restart-compose")
            let composeURL = try #require(composeVM["https_url"] as? String)
            _ = try await sim.json("share set-public restart-compose --json")
            let script = """
                set -eu
                echo \(ShellQuote.word(harness.registryPassword.reveal())) | sudo docker login \(harness.registry) -u \(harness.registryUser) --password-stdin >/dev/null
                cat > /data/app.compose.yaml <<'COMPOSE'
                services:
                  web:
                    image: \(image)
                    ports:
                      - "8000:8080"
                COMPOSE
                sudo docker compose -f /data/app.compose.yaml up -d
                """
            let deployed = try await sim.onVM(composeVM, "sh", stdin: Data(script.utf8))
            #expect(deployed.status == 0, "\(deployed.stderr)")
            #expect(try await waitFor(imageURL, harness) == 200)
            #expect(try await waitFor(composeURL, harness) == 200)

            let runner = LocalProcessRunner()
            let down = try await runner.run(ProcessInvocation(harness.executable, ["down", "--state", harness.stateDirectory], timeout: .seconds(180)))
            #expect(down.status == 0, "\(down.stderr)")
            let up = try await runner.run(ProcessInvocation(harness.executable, ["up", "--state", harness.stateDirectory], timeout: .seconds(180)))
            #expect(up.status == 0, "\(up.stderr)")
            #expect(SimulatorHarness.parseExports(up.stdout)["EXE_VM_PROXY"] == harness.vmProxy)

            #expect(try await waitFor(imageURL, harness) == 200)
            let imageAnswer = try await harness.fetch(imageURL)
            #expect(imageAnswer.body == "back again\n", "\(imageAnswer.status) \(imageAnswer.body)")
            #expect(try await waitFor(composeURL, harness) == 200)
            #expect(try await harness.fetch(composeURL).body == "back again\n")
            let status = try await runner.run(ProcessInvocation(harness.executable, ["status", "--state", harness.stateDirectory], timeout: .seconds(60)))
            #expect(status.status == 0, "\(status.stdout)")
            let ps = try await sim.onVM(composeVM, "docker ps --format '{{.Names}}'")
            #expect(ps.stdout.contains("web"), "\(ps.stdout)\(ps.stderr)")
            _ = try await sim.control("rm restart-image --json")

            // `down --purge` removes the images pulled from this simulator's
            // registry (listing only those: podman filters by reference),
            // and the containers of the VMs still there (restart-compose's).
            func registryImages() async throws -> [String] {
                let listing = try await runner.run(ProcessInvocation(
                    "podman", ["--storage-driver", "vfs", "images", "--format", "{{.Repository}}:{{.Tag}}"], timeout: .seconds(120)))
                return listing.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(harness.registry + "/") }
            }
            let instance = try SimConfiguration.load(SimPaths(root: harness.stateDirectory)).instanceID
            func containers() async throws -> [String] {
                let listing = try await runner.run(ProcessInvocation(
                    "podman", ["--storage-driver", "vfs", "ps", "-a", "--filter", "label=exe-sim.instance=\(instance)", "--format", "{{.Names}}"],
                    timeout: .seconds(120)))
                return listing.stdout.split(separator: "\n").map(String.init)
            }
            #expect(try await registryImages().contains(image))
            #expect(try await containers().count == 1)
            let purge = try await runner.run(ProcessInvocation(
                harness.executable, ["down", "--purge", "--state", harness.stateDirectory], timeout: .seconds(180)))
            #expect(purge.status == 0, "\(purge.stderr)")
            #expect(purge.stderr.contains("stopped VM restart-compose"), "\(purge.stderr)")
            #expect(try await registryImages() == [])
            #expect(try await containers() == [])
        }

        /// Polls `url` until it answers 200 (containers take a moment to listen); the last status.
        /// A VM's own network is joined to the host by a relay that carries its
        /// SSH port and the simulator's service ports. `up` again keeps a relay
        /// that is current (an SSH session through it goes on), and `up --tls`
        /// replaces it so the new TLS port is reachable from inside the VM.
        @Test func upAgainKeepsAVMsSessionsAndLaterTLSReachesIt() async throws {
            let sim = try sim
            let harness = try await SimulatorHarness.start(authorizedKeys: [sim.key + ".pub"])
            do {
                let created = try await harness.ssh("new --name=relay-vm --json", key: sim.key)
                let port = try #require(try JSONLines.object(created.stdout)["ssh_port"] as? Int, "\(created.stdout)")
                async let session = harness.ssh(port: port, "sleep 4; echo survived", key: sim.key)
                try await Task.sleep(for: .seconds(1))
                let runner = LocalProcessRunner()
                let again = try await runner.run(ProcessInvocation(harness.executable, ["up", "--state", harness.stateDirectory], timeout: .seconds(180)))
                #expect(again.status == 0, "\(again.stderr)")
                #expect(try await session.stdout == "survived\n")

                let tls = try await runner.run(
                    ProcessInvocation(harness.executable, ["up", "--tls", "--state", harness.stateDirectory], timeout: .seconds(180)))
                #expect(tls.status == 0, "\(tls.stderr)")
                let proxy = try #require(SimulatorHarness.parseExports(tls.stdout)["EXE_VM_PROXY_TLS"], "\(tls.stdout)")
                // The replaced relay listens on the VM's port again, or on
                // another when that one was taken in between (by any
                // connection's ephemeral port: the simulator's ports come from
                // that range); `ls` says which.
                let listed = try await harness.ssh("ls --json relay-vm", key: sim.key)
                let current = try #require(
                    (try JSONLines.object(listed.stdout)["vms"] as? [[String: Any]])?.first?["ssh_port"] as? Int, "\(listed.stdout)")
                let health = try await harness.ssh(port: current, "curl -s -k -m 5 -o /dev/null -w '%{http_code}' https://\(proxy)/_sim/health", key: sim.key)
                #expect(health.stdout == "200", "from inside the VM, \(proxy): \(health.stdout)\(health.stderr)")
            } catch {
                try? await harness.stop()
                throw error
            }
            try await harness.stop()
        }

        func waitFor(_ url: String, _ harness: SimulatorHarness) async throws -> Int {
            var last = 0
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                last = try await harness.fetch(url).status
                if last == 200 { return last }
                try await Task.sleep(for: .milliseconds(200))
            }
            return last
        }
    }
}
