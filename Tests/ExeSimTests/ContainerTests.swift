import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// Images from the simulator's registry running in podman: `new --image`,
    /// `https_url`, and the docker shim's compose cycle. Exercises the real
    /// container path (CI runs it).
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct ContainerTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        /// Builds a `FROM scratch` image with busybox's httpd and pushes it.
        static func pushImage(
            _ sim: SimulatorFixture, name: String, port: Int, expose: [Int], page: String,
            command: String? = nil
        ) async throws -> String {
            let harness = sim.harness
            let context = harness.directory.file("image-\(name)")
            try FileManager.default.createDirectory(atPath: context + "/www", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: context + "/busybox")
            try page.write(toFile: context + "/www/index.html", atomically: true, encoding: .utf8)
            try """
                FROM scratch
                COPY busybox /bin/busybox
                COPY www /www
                \(expose.map { "EXPOSE \($0)" }.joined(separator: "\n"))
                CMD \(command ?? #"["/bin/busybox", "httpd", "-f", "-v", "-p", "\#(port)", "-h", "/www"]"#)

                """.write(toFile: context + "/Containerfile", atomically: true, encoding: .utf8)
            let image = "\(harness.registry)/\(name):1"
            let runner = LocalProcessRunner()
            try await runner.check(ProcessInvocation(
                "buildah", ["--storage-driver", "vfs", "bud", "--isolation", "chroot", "-q", "-t", image, context], timeout: .seconds(300)))
            let authFile = try harness.directory.write(
                "push-auth-\(name).json",
                #"{"auths":{"\#(harness.registry)":{"auth":"\#(Data("\(harness.registryUser):\(harness.registryPassword.reveal())".utf8).base64EncodedString())"}}}"#,
                mode: 0o600)
            try await runner.check(ProcessInvocation(
                "buildah", ["--storage-driver", "vfs", "push", "--tls-verify=false", "--authfile", authFile, image], timeout: .seconds(300)))
            return image
        }

        func get(_ url: String) async throws -> (status: Int, body: String) {
            let output = try await LocalProcessRunner().run(ProcessInvocation(
                "curl", ["-s", "--max-time", "20", "-w", "\n%{http_code}"] + sim.harness.curlConnectTo + [url], timeout: .seconds(30)))
            var lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let status = Int(lines.popLast() ?? "") ?? 0
            return (status, lines.joined(separator: "\n"))
        }

        /// Polls `url` until it answers 200 (containers take a moment to listen).
        func waitFor(_ url: String) async throws -> (status: Int, body: String) {
            var last = (status: 0, body: "")
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                last = try await get(url)
                if last.status == 200 { return last }
                try await Task.sleep(for: .milliseconds(200))
            }
            return last
        }

        @Test func imageVMsServeAtTheirHTTPSURLWithoutColliding() async throws {
            let sim = try sim
            let image = try await Self.pushImage(sim, name: "web", port: 8080, expose: [8080], page: "hello from busybox\n")
            let auth = "\(sim.harness.registryUser):\(sim.harness.registryPassword.reveal())"
            let first = try await sim.harness.sshSecret("new --name=web-one --image=\(image) --registry-auth=\(auth) --json", key: sim.key)
            #expect(first.status == 0, "\(first.stdout)")
            let one = try JSONLines.object(first.stdout)
            #expect(one["proxy_port"] as? Int == 8080)
            let second = try await sim.harness.sshSecret("new --name=web-two --image=\(image) --registry-auth \(auth) --json", key: sim.key)
            let two = try JSONLines.object(second.stdout)
            let urlOne = try #require(one["https_url"] as? String)
            let urlTwo = try #require(two["https_url"] as? String)
            // Anonymous requests need public VMs (ProxySharingTests covers private ones).
            _ = try await sim.json("share set-public web-one --json")
            _ = try await sim.json("share set-public web-two --json")
            #expect(urlOne != urlTwo)
            #expect(try await waitFor(urlOne) == (200, "hello from busybox\n"))
            #expect(try await waitFor(urlTwo) == (200, "hello from busybox\n"))
            let listed = try await sim.json("ls --json web-one")
            #expect((listed["vms"] as? [[String: Any]])?.first?["image"] as? String == image)

            // Another exposed port: share port routes there; nothing serves it → 503 saying why.
            _ = try await sim.json("share port web-one 9000 --json")
            _ = try await sim.json("share set-public web-one --json")
            let unrouted = try await get(urlOne)
            #expect(unrouted.status == 503 && unrouted.body.contains("nothing serves port 9000"))
            _ = try await sim.json("share port web-one 8080 --json")
            _ = try await sim.json("share set-public web-one --json")
            #expect(try await waitFor(urlOne).status == 200)

            _ = try await sim.json("restart web-one --json")
            #expect(try await waitFor(urlOne) == (200, "hello from busybox\n"))

            _ = try await sim.control("rm web-one web-two --json")
            #expect(try await get(urlOne).status != 200)
        }

        // exelet/services/compute/create_instance.go: the image becomes a
        // VM of its own (its own IP, SSH proxied to vmIP:22), and its
        // ExposedPorts are only read as metadata (to pick the proxy port).
        // So every port the image's processes listen on is the VM's.
        @Test func anImagesProcessesListenOnTheVMsOwnNetwork() async throws {
            let sim = try sim
            try #require(sim.harness.isolatesVMNetworks, "needs VMs with their own network (root and ip netns)")
            let command = #"["/bin/busybox", "sh", "-c", "/bin/busybox httpd -p 9100 -h /www; exec /bin/busybox httpd -f -p 8080 -h /www"]"#
            let image = try await Self.pushImage(sim, name: "web-two-ports", port: 8080, expose: [8080], page: "two ports\n", command: command)
            let auth = "\(sim.harness.registryUser):\(sim.harness.registryPassword.reveal())"
            let created = try await sim.harness.sshSecret("new --name=web-ports --image=\(image) --registry-auth=\(auth) --json", key: sim.key)
            let vm = try JSONLines.object(created.stdout)
            let url = try #require(vm["https_url"] as? String)
            _ = try await sim.json("share set-public web-ports --json")
            #expect(try await waitFor(url) == (200, "two ports\n"))
            // Port 9100 is not exposed, yet it is the VM's: on the VM and at its URL.
            let onVM = try await sim.onVM(vm, "curl -s --max-time 5 http://localhost:9100/")
            #expect(onVM.stdout == "two ports\n", "\(onVM.status) \(onVM.stderr)")
            _ = try await sim.json("share port web-ports 9100 --json")
            _ = try await sim.json("share set-public web-ports --json")
            #expect(try await waitFor(url) == (200, "two ports\n"))
            _ = try await sim.json("restart web-ports --json")
            #expect(try await waitFor(url) == (200, "two ports\n"))
            #expect(try await sim.onVM(vm, "curl -s --max-time 5 http://localhost:9100/").stdout == "two ports\n")
            _ = try await sim.control("rm web-ports --json")
        }

        @Test func port80WinsTheProxyPort() async throws {
            let sim = try sim
            let image = try await Self.pushImage(sim, name: "web80", port: 80, expose: [9000, 80], page: "port eighty\n")
            let auth = "\(sim.harness.registryUser):\(sim.harness.registryPassword.reveal())"
            let created = try await sim.harness.sshSecret("new --name=web-eighty --image=\(image) --registry-auth=\(auth) --json", key: sim.key)
            let vm = try JSONLines.object(created.stdout)
            #expect(vm["proxy_port"] as? Int == 80)
            _ = try await sim.json("share set-public web-eighty --json")
            #expect(try await waitFor(try #require(vm["https_url"] as? String)).body == "port eighty\n")
        }

        @Test func imageErrors() async throws {
            let sim = try sim
            let registry = sim.harness.registry
            let auth = "\(sim.harness.registryUser):\(sim.harness.registryPassword.reveal())"
            let missing = try await sim.harness.sshSecret("new --name=no-image --image=\(registry)/nothing-here:1 --registry-auth=\(auth) --json", key: sim.key)
            #expect(missing.status == 255)
            #expect(missing.stdout == "{\"error\":\"failed to pull image \\\"\(registry)/nothing-here:1\\\": manifest unknown: image not found\"}\n")
            let wrong = try await sim.control("new --name=bad-auth --image=\(registry)/web:1 --registry-auth=exe-sim:wrong --json")
            #expect(wrong.stdout.contains("authentication failed: check --registry-auth"))
            let anonymous = try await sim.control("new --name=no-auth --image=\(registry)/web:1 --json")
            #expect(anonymous.stdout.contains("pass --registry-auth"))
            let foreign = try await sim.control("new --name=ghcr-vm --image=ghcr.io/owner/app:1 --json")
            #expect(foreign.stdout.contains("registry ghcr.io is unreachable"))
            let listed = try await sim.json("ls --json")
            let names = (listed["vms"] as? [[String: Any]])?.compactMap { $0["vm_name"] as? String } ?? []
            #expect(!names.contains("no-image") && !names.contains("bad-auth"))
        }

        @Test func composeCycleThroughTheDockerShim() async throws {
            let sim = try sim
            let image = try await Self.pushImage(sim, name: "app", port: 8080, expose: [8080], page: "compose app\n")
            let registry = sim.harness.registry
            let vm = try await sim.newVM("compose-vm")
            let url = try #require(vm["https_url"] as? String)
            _ = try await sim.json("share set-public compose-vm --json")
            let idle = try await get(url)
            #expect(idle.status == 503 && idle.body.contains("nothing serves port 8000"))

            let refused = try await sim.onVM(vm, "sudo docker login \(registry) -u \(sim.harness.registryUser) --password-stdin", stdin: Data("wrong\n".utf8))
            #expect(refused.status != 0 && refused.stderr.contains("401 Unauthorized"))
            let login = try await sim.onVM(
                vm, "sudo docker login \(registry) -u \(sim.harness.registryUser) --password-stdin",
                stdin: Data((sim.harness.registryPassword.reveal() + "\n").utf8))
            #expect(login.status == 0 && login.stdout == "Login Succeeded\n", "\(login.stderr)")

            let script = """
                set -eu
                echo GREETING=hi > /data/.env.production
                cat <<'COMPOSE' | sudo tee /data/app.compose.yaml >/dev/null
                services:
                  app:
                    image: \(image)
                    container_name: app
                    restart: always
                    ports:
                      - "8000:8080"
                    volumes:
                      - /data:/data
                    env_file:
                      - /data/.env.production
                COMPOSE
                sudo docker compose -f /data/app.compose.yaml pull
                sudo docker compose -f /data/app.compose.yaml up -d --remove-orphans
                """
            let deploy = try await sim.onVM(vm, "sh", stdin: Data(script.utf8))
            #expect(deploy.status == 0, "\(deploy.stderr)")
            #expect(try await waitFor(url) == (200, "compose app\n"))

            let ps = try await sim.onVM(vm, "sudo docker compose -f /data/app.compose.yaml ps")
            #expect(ps.stdout.contains("app") && ps.stdout.contains("Up"))
            let dockerPS = try await sim.onVM(vm, #"docker ps --format "{{.Names}}\t{{.Ports}}""#)
            #expect(dockerPS.stdout == "app\t0.0.0.0:8000->8080/tcp\n")
            // docker on a VM publishes "8000:8080" on the VM's own port 8000, so the
            // VM reaches it on localhost (each VM has its own network: VMTests.eachVMHasItsOwnLocalhost).
            let local = try await sim.onVM(vm, "curl -s -m 10 http://localhost:8000/")
            #expect(local.stdout == "compose app\n", "\(local.stderr)")
            let logs = try await sim.onVM(vm, "sudo docker logs --tail=5 app; sudo docker compose -f /data/app.compose.yaml logs --tail 5")
            #expect(logs.status == 0)
            let down = try await sim.onVM(vm, "sudo docker compose -f /data/app.compose.yaml down")
            #expect(down.status == 0)
            #expect(try await get(url).status == 503)
            let empty = try await sim.onVM(vm, "docker ps --format '{{.Names}}'")
            #expect(empty.stdout.isEmpty)
        }

        @Test func composeWithAMissingImageFailsLikeDocker() async throws {
            let sim = try sim
            let registry = sim.harness.registry
            let vm = try await sim.newVM("compose-missing")
            _ = try await sim.onVM(
                vm, "sudo docker login \(registry) -u \(sim.harness.registryUser) --password-stdin",
                stdin: Data(sim.harness.registryPassword.reveal().utf8))
            let compose = "services:\n  app:\n    image: \(registry)/does-not-exist:1\n    ports:\n      - \"8000:8080\"\n"
            _ = try await sim.onVM(vm, "cat > /data/c.yaml", stdin: Data(compose.utf8))
            let pull = try await sim.onVM(vm, "docker compose -f /data/c.yaml pull")
            #expect(pull.status != 0)
            #expect(pull.stderr.contains("manifest for \(registry)/does-not-exist:1 not found: manifest unknown"))
            let up = try await sim.onVM(vm, "docker compose -f /data/c.yaml up -d")
            #expect(up.status != 0 && up.stderr.contains("manifest unknown"))
        }
    }
}
