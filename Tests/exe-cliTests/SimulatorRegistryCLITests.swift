import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// A registry served by a VM, pulled from by other VMs' `new --image`
/// through the VM proxy, through the built exe-cli against exe-sim.
///
/// Grounding: `exeweb/proxy.go` (`GetProxyAuth`: a VM-scoped token as
/// HTTP Basic's password, user ignored; `HandleProxyRequest`: a private
/// route without `Authorization` is redirected to the login, with failing
/// credentials is a 401; `stripExeDevAuth`), and the live docs
/// `exe.dev/docs/private-image.md` (the boot image is pulled host-side
/// with `--registry-auth=USERNAME:PASSWORD`).
@Suite(.cliSimulator, .serialized, .timeLimit(.minutes(15)))
struct SimulatorRegistryCLITests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulator trait") } }

    /// buildah with the storage every test here uses.
    static func buildah(_ arguments: [String]) -> ProcessInvocation {
        ProcessInvocation("buildah", ["--storage-driver", "vfs"] + arguments, timeout: .seconds(300))
    }

    /// The registry image (``ExeRegistryImage``) pushed to the simulator's
    /// own registry, as a fixture for a VM that serves a registry.
    static func pushRegistryImage(_ sim: CLISimulator) async throws -> String {
        let harness = sim.harness
        let context = harness.directory.file("registry-image")
        let image = "\(harness.registry)/exe-registry:1"
        if FileManager.default.fileExists(atPath: context) { return image }
        let runner = LocalProcessRunner()
        try await ExeRegistryImage.writeContext(at: context, runner: runner)
        try await runner.check(buildah(["bud", "--isolation", "chroot", "-q", "-t", image, context]))
        let credentials = Data("\(harness.registryUser):\(harness.registryPassword.reveal())".utf8).base64EncodedString()
        let authFile = try harness.directory.write(
            "push-auth-registry.json", #"{"auths":{"\#(harness.registry)":{"auth":"\#(credentials)"}}}"#, mode: 0o600)
        try await runner.check(buildah(["push", "--tls-verify=false", "--authfile", authFile, image]))
        return image
    }

    /// A busybox page image tagged `reference` (built once per tag).
    static func buildPage(_ sim: CLISimulator, reference: String, text: String) async throws {
        let context = sim.harness.directory.file("page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: context + "/www", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: context + "/busybox")
        try text.write(toFile: context + "/www/index.html", atomically: true, encoding: .utf8)
        try """
            FROM scratch
            COPY busybox /bin/busybox
            COPY www /www
            EXPOSE 8080
            CMD ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]

            """.write(toFile: context + "/Containerfile", atomically: true, encoding: .utf8)
        try await LocalProcessRunner().check(buildah(["bud", "--isolation", "chroot", "-q", "-t", reference, context]))
    }

    /// Waits until `url` answers 200 with `token` as Basic's password.
    static func waitFor(_ sim: CLISimulator, _ url: String, token: Secret) async throws -> VMURLResponse {
        var last = try await sim.harness.fetch(url, basicPassword: token)
        for _ in 0..<150 where last.status != 200 {
            try await Task.sleep(for: .milliseconds(200))
            last = try await sim.harness.fetch(url, basicPassword: token)
        }
        return last
    }

    @Test("a VM serves a registry; new --image=<vm-host>/image:tag pulls through the proxy with a VM token as Basic password (proxy.go GetProxyAuth); anonymous, expired and other-VM tokens are refused")
    func vmHostedRegistryPull() async throws {
        let sim = try sim
        let harness = sim.harness
        let registryImage = try await Self.pushRegistryImage(sim)
        let created = try await sim.run(
            ["vm", "new", "--name", "reg-host", "--image", registryImage, "--registry-user", harness.registryUser, "--json"],
            extra: ["EXE_REGISTRY_PASSWORD": harness.registryPassword.reveal()])
        #expect(created.status == 0, "\(created.stderr)")
        let registryHost = "reg-host.exe-sim.localhost"

        let minted = try await sim.run(["token", "mint", "--vm", "reg-host", "--exp", "1h"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let token = Secret(minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let ping = try await Self.waitFor(sim, "http://\(registryHost)/v2/", token: token)
        if ping.status != 200 {
            let podman = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "--storage-driver", "vfs", "--events-backend", "file"]
            let listed = try await LocalProcessRunner().run(ProcessInvocation("podman", podman + ["ps", "-a"], timeout: .seconds(60)))
            let names = listed.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }.filter { $0.hasSuffix("-main") }
            var logs = ""
            for name in names {
                logs += try await LocalProcessRunner().run(ProcessInvocation("podman", podman + ["logs", name], timeout: .seconds(60))).stderr
            }
            Issue.record("the registry VM never answered: \(ping.status) \(ping.body)\n\(listed.stdout)\n\(logs)")
        }
        // The VM stays private: anonymous requests go to the login.
        #expect(try await harness.fetch("http://\(registryHost)/v2/").status == 307)

        // Push through the relay (the token stays in this process).
        let relay = try ExeRegistryRelay(registryHost: registryHost, upstream: harness.vmProxy, token: token)
        defer { relay.stop() }
        let local = "127.0.0.1:\(relay.port)/hello:1"
        try await Self.buildPage(sim, reference: local, text: "served from reg-host\n")
        let pushed = try await LocalProcessRunner().run(Self.buildah(["push", "--tls-verify=false", local]))
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let tags = try await harness.fetch("http://\(registryHost)/v2/hello/tags/list", basicPassword: token)
        #expect(tags.status == 200 && tags.body.contains("\"1\""), "\(tags.body)")

        // The pull: Basic auth with the VM token (user ignored).
        let image = "\(registryHost)/hello:1"
        let pulled = try await sim.run(
            ["vm", "new", "--name", "pulled-one", "--image", image, "--registry-user", "exe", "--json"],
            extra: ["EXE_REGISTRY_PASSWORD": token.reveal()])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let pageToken = try await harness.mintVMToken(key: sim.key.privatePath, vm: "pulled-one", label: "page-token")
        let page = try await Self.waitFor(sim, "http://pulled-one.exe-sim.localhost/", token: pageToken)
        #expect(page.status == 200 && page.body == "served from reg-host\n", "\(page.status) \(page.body)")

        // Anonymous: the proxy redirects to the login; new refuses.
        let anonymous = try await sim.run(["vm", "new", "--name", "anon-one", "--image", image])
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("unauthorized: the registry requires credentials"), "\(anonymous.stderr)")
        // Expired (a locally minted token past its exp): 401 from the proxy.
        let expiredToken = try await sim.run(["token", "mint", "--vm", "reg-host", "--exp", "2001-01-01"])
        #expect(expiredToken.status == 0, "\(expiredToken.stderr)")
        let expired = try await sim.run(
            ["vm", "new", "--name", "expired-one", "--image", image, "--registry-user", "exe"],
            extra: ["EXE_REGISTRY_PASSWORD": expiredToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(expired.status != 0)
        #expect(expired.stderr.contains("authentication failed: check --registry-auth"), "\(expired.stderr)")
        // A token for another VM opens only that VM.
        let other = try await sim.run(
            ["vm", "new", "--name", "other-one", "--image", image, "--registry-user", "exe"],
            extra: ["EXE_REGISTRY_PASSWORD": pageToken.reveal()])
        #expect(other.status != 0 && other.stderr.contains("authentication failed"), "\(other.stderr)")
        let listed = try await sim.run(["vm", "ls", "--json"])
        #expect(!listed.stdout.contains("anon-one") && !listed.stdout.contains("expired-one") && !listed.stdout.contains("other-one"))
        _ = try await sim.run(["vm", "rm", "pulled-one", "reg-host"])
    }

    @Test("registry up twice = one VM; status lists images and tags; gc --keep 1 removes the older tag and its blobs; down refused while a VM runs its image")
    func registryLifecycle() async throws {
        let sim = try sim
        let harness = sim.harness
        let proxy = ["EXE_VM_PROXY": harness.vmProxy]
        let first = try await sim.run(["registry", "up", "--name", "my-registry", "--json"], extra: proxy)
        #expect(first.status == 0, "\(first.stderr)")
        let up = try JSONSerialization.jsonObject(with: first.standardOutput) as? [String: Any]
        #expect(up?["created"] as? Bool == true && up?["healthy"] as? Bool == true, "\(first.stdout)")
        #expect(up?["address"] as? String == "my-registry.exe-sim.localhost")
        let second = try await sim.run(["registry", "up", "--name", "my-registry"], extra: proxy)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == "my-registry.exe-sim.localhost\n")
        let listed = try await sim.run(["vm", "ls", "--json"])
        #expect(listed.stdout.components(separatedBy: "\"vm_name\":\"my-registry\"").count == 2, "\(listed.stdout)")
        // The registry VM is private.
        #expect(try await harness.fetch("http://my-registry.exe-sim.localhost/v2/").status == 307)

        let minted = try await sim.run(["token", "mint", "--vm", "my-registry", "--exp", "1h"])
        let token = Secret(minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let relay = try ExeRegistryRelay(registryHost: "my-registry.exe-sim.localhost", upstream: harness.vmProxy, token: token)
        defer { relay.stop() }
        for tag in ["1", "2"] {
            let local = "127.0.0.1:\(relay.port)/hello:\(tag)"
            try await Self.buildPage(sim, reference: local, text: "release \(tag)\n")
            let pushed = try await LocalProcessRunner().run(Self.buildah(["push", "--tls-verify=false", local]))
            #expect(pushed.status == 0, "\(pushed.stderr)")
            try await Task.sleep(for: .seconds(1.1))
        }
        let status = try await sim.run(["registry", "status", "--name", "my-registry", "--json"], extra: proxy)
        #expect(status.status == 0, "\(status.stderr)")
        let state = try JSONSerialization.jsonObject(with: status.standardOutput) as? [String: Any]
        #expect(state?["healthy"] as? Bool == true)
        let repositories = state?["repositories"] as? [[String: Any]] ?? []
        #expect(repositories.count == 1 && repositories.first?["name"] as? String == "hello")
        #expect(repositories.first?["tags"] as? [String] == ["1", "2"], "\(status.stdout)")
        #expect((state?["size_bytes"] as? Int ?? 0) > 0)

        let image = "my-registry.exe-sim.localhost/hello"
        let app = try await sim.run(
            ["vm", "new", "--name", "app-one", "--image", image + ":2", "--registry-user", "exe"],
            extra: ["EXE_REGISTRY_PASSWORD": token.reveal()])
        #expect(app.status == 0, "\(app.stderr)")

        let gc = try await sim.run(["registry", "gc", "--name", "my-registry", "--app", "hello", "--keep", "1", "--json"], extra: proxy)
        #expect(gc.status == 0, "\(gc.stderr)")
        let collected = try JSONSerialization.jsonObject(with: gc.standardOutput) as? [String: Any]
        #expect(collected?["kept"] as? [String] == ["2"] && collected?["removed"] as? [String] == ["1"], "\(gc.stdout)")
        let before = collected?["size_before_bytes"] as? Int ?? 0
        let after = collected?["size_after_bytes"] as? Int ?? Int.max
        #expect(after < before, "garbage-collect freed nothing: \(before) -> \(after)")
        let gone = try await sim.run(
            ["vm", "new", "--name", "old-one", "--image", image + ":1", "--registry-user", "exe"],
            extra: ["EXE_REGISTRY_PASSWORD": token.reveal()])
        #expect(gone.status != 0 && gone.stderr.contains("manifest unknown"), "\(gone.stderr)")
        let kept = try await sim.run(
            ["vm", "new", "--name", "kept-one", "--image", image + ":2", "--registry-user", "exe"],
            extra: ["EXE_REGISTRY_PASSWORD": token.reveal()])
        #expect(kept.status == 0, "\(kept.stderr)")

        let refused = try await sim.run(["registry", "down", "--name", "my-registry"], extra: proxy)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("app-one") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try await sim.run(["vm", "ls", "--json"]).stdout.contains("\"vm_name\":\"my-registry\""))
        _ = try await sim.run(["vm", "rm", "app-one", "kept-one"])
        let down = try await sim.run(["registry", "down", "--name", "my-registry"], extra: proxy)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(!(try await sim.run(["vm", "ls", "--json"]).stdout.contains("\"vm_name\":\"my-registry\"")))
    }

    @Test("registry up/status/gc/down never show a token: no exe0 token in any output or in any process's argv (/proc/*/cmdline sampled throughout)")
    func registryTokensNeverLeak() async throws {
        let sim = try sim
        let proxy = ["EXE_VM_PROXY": sim.harness.vmProxy]
        // Every token exe-cli mints for the registry is an exe0 token: the prefix is the needle.
        let canary = "exe0.canary-\(UUID().uuidString)"
        let scanner = ProcessArgumentScanner(needles: ["exe0.", canary])
        try #require(try await scanner.showCanary(canary), "the argv scanner never saw its canary")
        var outputs: [(String, ProcessOutput)] = []
        outputs.append(("up", try await sim.run(["registry", "up", "--name", "quiet-registry"], extra: proxy)))
        outputs.append(("up --json", try await sim.run(["registry", "up", "--name", "quiet-registry", "--json"], extra: proxy)))
        outputs.append(("status", try await sim.run(["registry", "status", "--name", "quiet-registry"], extra: proxy)))
        outputs.append(("gc", try await sim.run(["registry", "gc", "--name", "quiet-registry", "--app", "none", "--keep", "1", "--json"], extra: proxy)))
        outputs.append(("down", try await sim.run(["registry", "down", "--name", "quiet-registry"], extra: proxy)))
        let (hits, distinct, _) = scanner.stop()
        for (label, output) in outputs {
            #expect(output.status == 0, "\(label): \(output.stderr)")
            #expect(!output.stdout.contains("exe0.") && !output.stderr.contains("exe0."), "\(label) printed a token")
        }
        #expect(!hits.isEmpty && hits.allSatisfy { $0.contains("canary") }, "argv with a token: \(hits)")
        #expect(distinct > 10, "the scanner saw too few processes to mean anything (\(distinct))")
    }

    /// Examples/hello in a scratch directory with `registry: exe` and no
    /// repository or registry credentials; `page` is what it serves.
    static func helloApp(_ sim: CLISimulator, page: String) throws -> String {
        let directory = sim.harness.directory.file("hello-exe-registry")
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Examples/hello").path
            try manager.copyItem(atPath: examples, toPath: directory)
            try? manager.removeItem(atPath: directory + "/busybox")
            try manager.copyItem(atPath: "/bin/busybox", toPath: directory + "/busybox")
            try """
                version: 1
                app: hello-exe
                pattern: replace
                port: 8080
                image:
                  builder: buildah
                registry: exe
                health:
                  path: /
                  timeout: 30s

                """.write(toFile: directory + "/exe.deploy.yaml", atomically: true, encoding: .utf8)
        }
        try page.write(toFile: directory + "/www/index.html", atomically: true, encoding: .utf8)
        return directory
    }

    func deploy(_ arguments: [String], in directory: String) async throws -> ProcessOutput {
        let sim = try sim
        let binary = try #require(CLIProcessTests.binary, "exe-cli is not built")
        // No EXE_DEPLOY_REPOSITORY, no registry user or password anywhere.
        let environment = sim.environment(["EXE_VM_PROXY": sim.harness.vmProxy]).filter {
            !$0.key.hasPrefix("EXE_DEPLOY_") && !$0.key.hasPrefix("EXE_REGISTRY")
        }
        return try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: environment, workingDirectory: directory, standardInput: Data(), timeout: .seconds(300)))
    }

    @Test("Pattern A deploy of Examples/hello with registry: exe and no outside registry settings; gc --keep 2 removes the oldest tag; rollback to a kept tag works; no token in any output or argv")
    func patternADeployFromExeRegistry() async throws {
        let sim = try sim
        let proxy = ["EXE_VM_PROXY": sim.harness.vmProxy]
        let up = try await sim.run(["registry", "up"], extra: proxy)
        #expect(up.status == 0, "\(up.stderr)")
        let address = up.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(address.hasPrefix("reg-") && address.hasSuffix(".exe-sim.localhost"), "\(address)")

        // The secret search: every token exe-cli mints here is an exe0 token.
        let canary = "exe0.canary-\(UUID().uuidString)"
        let scanner = ProcessArgumentScanner(needles: ["exe0.", canary])
        try #require(try await scanner.showCanary(canary), "the argv scanner never saw its canary")
        var outputs: [ProcessOutput] = []
        var images: [String] = []
        for release in ["one", "two", "three"] {
            let app = try Self.helloApp(sim, page: "release \(release)\n")
            let deployed = try await deploy(["deploy", "--json"], in: app)
            outputs.append(deployed)
            #expect(deployed.status == 0, "\(deployed.stderr)")
            let report = try JSONSerialization.jsonObject(with: deployed.standardOutput) as? [String: Any]
            let image = report?["image"] as? String ?? ""
            #expect(image.hasPrefix(address + "/hello-exe:"), "\(deployed.stdout)")
            images.append(image)
            let page = try await sim.harness.fetch("http://hello-exe.exe-sim.localhost/", basicPassword: try await sim.harness.mintVMToken(
                key: sim.key.privatePath, vm: "hello-exe", label: "page-\(release)"))
            #expect(page.body == "release \(release)\n", "\(page.status) \(page.body)")
            _ = try await sim.run(["ssh-key", "remove", "page-\(release)"])
            try await Task.sleep(for: .seconds(1.1))
        }
        #expect(Set(images).count == 3)

        let gc = try await sim.run(["registry", "gc", "--app", "hello-exe", "--keep", "2", "--json"], extra: proxy)
        #expect(gc.status == 0, "\(gc.stderr)")
        let collected = try JSONSerialization.jsonObject(with: gc.standardOutput) as? [String: Any]
        let removed = collected?["removed"] as? [String] ?? []
        let oldest = String(images[0].split(separator: ":").last ?? "")
        #expect(removed == [oldest], "\(gc.stdout)")

        let app = try Self.helloApp(sim, page: "unused\n")
        let rollback = try await deploy(["deploy", "rollback", "--json"], in: app)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        outputs += [rollback, gc]
        let (hits, distinct, _) = scanner.stop()
        #expect(!hits.isEmpty && hits.allSatisfy { $0.contains("canary") }, "argv with a token: \(hits)")
        #expect(distinct > 10)
        for output in outputs {
            #expect(!output.stdout.contains("exe0.") && !output.stderr.contains("exe0."), "a token was printed")
        }
        let report = try JSONSerialization.jsonObject(with: rollback.standardOutput) as? [String: Any]
        #expect(report?["image"] as? String == images[1], "\(rollback.stdout)")
        let token = try await sim.harness.mintVMToken(key: sim.key.privatePath, vm: "hello-exe", label: "page-rollback")
        let page = try await sim.harness.fetch("http://hello-exe.exe-sim.localhost/", basicPassword: token)
        #expect(page.body == "release two\n", "\(page.status) \(page.body)")

        let down = try await sim.run(["registry", "down"], extra: proxy)
        #expect(down.status == 1 && down.stderr.contains("hello-exe"), "\(down.stderr)")
        // The live VM and the releases kept paused beside it (issue 16) all
        // run images from the registry: down is refused until they are gone.
        let listed = try await sim.run(["vm", "ls", "--json"])
        let vms = ((try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])?["vms"] as? [[String: Any]] ?? [])
            .compactMap { $0["vm_name"] as? String }.filter { $0.hasPrefix("hello-exe") }
        #expect(vms.contains("hello-exe") && vms.count >= 2, "the live VM and a kept release: \(vms)")
        _ = try await sim.run(["vm", "rm"] + vms)
        #expect(try await sim.run(["registry", "down"], extra: proxy).status == 0)
    }

    /// Examples/hello as a Pattern B app on the VM `compose-exe`, with
    /// `registry: exe` and no repository or registry credentials.
    static func helloComposeApp(_ sim: CLISimulator, page: String) throws -> String {
        let directory = sim.harness.directory.file("hello-compose-exe-registry")
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Examples/hello").path
            try manager.copyItem(atPath: examples, toPath: directory)
            try? manager.removeItem(atPath: directory + "/busybox")
            try manager.copyItem(atPath: "/bin/busybox", toPath: directory + "/busybox")
            try """
                version: 1
                app: compose-exe
                pattern: compose
                vm: compose-exe
                port: 8080
                image:
                  builder: buildah
                registry: exe
                health:
                  path: /
                  timeout: 60s

                """.write(toFile: directory + "/exe.deploy.yaml", atomically: true, encoding: .utf8)
        }
        try page.write(toFile: directory + "/www/index.html", atomically: true, encoding: .utf8)
        return directory
    }

    /// Grounding: `exeweb/proxy.go` `HandleProxyRequest` (a private VM's
    /// request without `Authorization` is redirected to the login, so docker
    /// on a VM never gets the 401 challenge it needs to send credentials);
    /// `exelet/fs/rovol/etc/ssh/sshd_config` (`AllowTcpForwarding yes` on
    /// exe.dev's VMs, as on the simulator's VM sshds), which the remote port
    /// forward relies on.
    @Test("Pattern B deploy of Examples/hello with registry: exe and no outside registry settings: the VM pulls through a remote port forward to the relay; rollback works; a direct pull on the VM is still refused; no token in any output or argv")
    func patternBDeployFromExeRegistry() async throws {
        let sim = try sim
        let proxy = ["EXE_VM_PROXY": sim.harness.vmProxy]
        let up = try await sim.run(["registry", "up"], extra: proxy)
        #expect(up.status == 0, "\(up.stderr)")
        let address = up.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let made = try await sim.run(["vm", "new", "--name", "compose-exe", "--json"])
        #expect(made.status == 0, "\(made.stderr)")

        let canary = "exe0.canary-\(UUID().uuidString)"
        let scanner = ProcessArgumentScanner(needles: ["exe0.", canary])
        try #require(try await scanner.showCanary(canary), "the argv scanner never saw its canary")
        var outputs: [ProcessOutput] = []
        var images: [String] = []
        for release in ["one", "two"] {
            let app = try Self.helloComposeApp(sim, page: "compose release \(release)\n")
            let deployed = try await deploy(["deploy", "--json"], in: app)
            outputs.append(deployed)
            #expect(deployed.status == 0, "\(deployed.stderr)")
            let report = try JSONSerialization.jsonObject(with: deployed.standardOutput) as? [String: Any]
            let image = report?["image"] as? String ?? ""
            #expect(image.hasPrefix(address + "/compose-exe:"), "\(deployed.stdout)")
            #expect(deployed.stderr.contains("through a remote port forward"), "\(deployed.stderr)")
            images.append(image)
            let token = try await sim.harness.mintVMToken(key: sim.key.privatePath, vm: "compose-exe", label: "compose-page-\(release)")
            let page = try await Self.waitFor(sim, "http://compose-exe.exe-sim.localhost/", token: token)
            #expect(page.body == "compose release \(release)\n", "\(page.status) \(page.body)")
            _ = try await sim.run(["ssh-key", "remove", "compose-page-\(release)"])
            try await Task.sleep(for: .seconds(1.1))
        }
        #expect(Set(images).count == 2)

        // The release's image is on the VM under the name the compose file
        // uses; the loopback name it was pulled as is gone.
        let listed = try await sim.run(["vm", "exec", "compose-exe", "--", "cat", "/data/compose-exe.compose.yaml"])
        #expect(listed.stdout.contains(images[1]), "\(listed.stdout)")

        // Rollback: the previous compose file's image, again through the forward.
        let app = try Self.helloComposeApp(sim, page: "unused\n")
        let rollback = try await deploy(["deploy", "rollback", "--json"], in: app)
        outputs.append(rollback)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let report = try JSONSerialization.jsonObject(with: rollback.standardOutput) as? [String: Any]
        #expect(report?["image"] as? String == images[0], "\(rollback.stdout)")
        let token = try await sim.harness.mintVMToken(key: sim.key.privatePath, vm: "compose-exe", label: "compose-page-rollback")
        let page = try await Self.waitFor(sim, "http://compose-exe.exe-sim.localhost/", token: token)
        #expect(page.body == "compose release one\n", "\(page.status) \(page.body)")
        _ = try await sim.run(["ssh-key", "remove", "compose-page-rollback"])

        let (hits, distinct, _) = scanner.stop()
        #expect(!hits.isEmpty && hits.allSatisfy { $0.contains("canary") }, "argv with a token: \(hits)")
        #expect(distinct > 10)
        for output in outputs {
            #expect(!output.stdout.contains("exe0.") && !output.stderr.contains("exe0."), "a token was printed")
        }

        // docker on the VM cannot reach the private registry VM itself: the
        // proxy redirects its anonymous ping to the login, and docker login
        // does not change that.
        let direct = try await sim.run(["vm", "exec", "compose-exe", "--", "sudo", "docker", "pull", images[1]])
        #expect(direct.status != 0, "\(direct.stdout)")
        #expect(direct.stderr.contains("not a 401 challenge"), "\(direct.stderr)")
        let login = try await sim.run(
            ["vm", "exec", "compose-exe", "--", "sudo", "docker", "login", "--username", "exe", "--password-stdin", address],
            stdin: Data("not-a-token\n".utf8))
        #expect(login.status != 0 && login.stderr.contains("not a 401 challenge"), "\(login.stderr)")

        _ = try await sim.run(["vm", "rm", "compose-exe"])
        #expect(try await sim.run(["registry", "down"], extra: proxy).status == 0)
    }

    /// Runs `script` with `sh -c` on the VM `vm`.
    func onVM(_ vm: String, _ script: String) async throws -> ProcessOutput {
        try await sim.run(["vm", "exec", vm, "--", "sh", "-c", script])
    }

    @Test("registry gc and deploys share the registry's lock (/data/.exe-registry-lock): a deploy's use makes gc wait and exit 8 (\"a push is in progress\", naming it); a stale use is ignored; a running gc makes a deploy wait, and the deploy's own use is there while it runs and gone after")
    func registryLock() async throws {
        let sim = try sim
        let proxy = ["EXE_VM_PROXY": sim.harness.vmProxy]
        let up = try await sim.run(["registry", "up"], extra: proxy)
        #expect(up.status == 0, "\(up.stderr)")
        let registry = String(up.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").first ?? "")
        let lock = ExeRegistryLock.directory

        // A use as a deploy writes it: gc waits --wait seconds, then gives up naming it.
        let details = #"{"acquiredAt":"2026-11-30T08:00:00Z","action":"deploy","app":"planted-app","holder":"alice","host":"laptop","id":"0123456789abcdef"}"#
        let planted = try await onVM(registry, "mkdir -p \(lock)/uses && printf '%s\\n' '\(details)' > \(lock)/uses/0123456789abcdef")
        #expect(planted.status == 0, "\(planted.stderr)")
        let started = ContinuousClock.now
        let refused = try await sim.run(["registry", "gc", "--app", "hello-exe", "--keep", "1", "--wait", "2"], extra: proxy)
        #expect(refused.status == 8, "\(refused.stderr)")
        #expect(refused.stderr.contains("a push is in progress") && refused.stderr.contains("planted-app") && refused.stderr.contains("alice"), "\(refused.stderr)")
        #expect(ContinuousClock.now - started >= .seconds(2))
        // gc gave its mark back.
        #expect(try await onVM(registry, "test -e \(lock)/gc").status != 0)

        // A use older than any token can live (35 minutes) is ignored and cleared.
        _ = try await onVM(registry, "touch -d '-40 minutes' \(lock)/uses/0123456789abcdef")
        let collected = try await sim.run(["registry", "gc", "--app", "hello-exe", "--keep", "1", "--wait", "2", "--json"], extra: proxy)
        #expect(collected.status == 0, "\(collected.stderr)")
        #expect(try await onVM(registry, "ls -A \(lock)/uses").stdout.isEmpty)

        // A running gc (its mark): a deploy waits, writing no use, until it is gone.
        let gcDetails = #"{"acquiredAt":"2026-11-30T08:00:00Z","action":"registry gc","app":"hello-exe","holder":"bob","host":"desk","id":"fedcba9876543210"}"#
        _ = try await onVM(registry, "mkdir \(lock)/gc && printf '%s\\n' '\(gcDetails)' > \(lock)/gc/details")
        let app = try Self.helloApp(sim, page: "after gc\n")
        let deploying = Task { try await deploy(["deploy", "--json"], in: app) }
        var usesWhileCollecting: [String] = []
        for _ in 0..<6 {
            try await Task.sleep(for: .seconds(1))
            usesWhileCollecting.append(try await onVM(registry, "ls -A \(lock)/uses").stdout)
        }
        #expect(usesWhileCollecting.allSatisfy { $0.isEmpty }, "a deploy wrote a use while gc ran: \(usesWhileCollecting)")
        _ = try await onVM(registry, "rm -rf \(lock)/gc")
        var sawUse = false
        for _ in 0..<60 where !sawUse {
            sawUse = !(try await onVM(registry, "ls -A \(lock)/uses").stdout.isEmpty)
            if !sawUse { try await Task.sleep(for: .milliseconds(300)) }
        }
        let deployed = try await deploying.value
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(sawUse, "the deploy never held a use of the registry")
        #expect(try await onVM(registry, "ls -A \(lock)/uses").stdout.isEmpty, "the deploy left its use behind")

        let listed = try await sim.run(["vm", "ls", "--json"])
        let vms = ((try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any])?["vms"] as? [[String: Any]] ?? [])
            .compactMap { $0["vm_name"] as? String }.filter { $0.hasPrefix("hello-exe") }
        _ = try await sim.run(["vm", "rm"] + vms)
        #expect(try await sim.run(["registry", "down"], extra: proxy).status == 0)
    }
}
