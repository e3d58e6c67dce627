import ExeDeploy
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// One `exe-sim` (control plane, registry, VMs) for the end-to-end deploy
/// suite, a registered client key, and `exe-cli` run as a real process
/// against it, the way a user runs it.
final class DeploySimulator: Sendable {
    let harness: SimulatorHarness
    /// HOME for `exe-cli` (no ~/.ssh/config), the client key, app sources.
    let scratch: TemporaryDirectory
    /// The registered private key.
    let key: String
    /// The built `exe-cli`.
    let binary: String

    private init(harness: SimulatorHarness, scratch: TemporaryDirectory, key: String, binary: String) {
        self.harness = harness
        self.scratch = scratch
        self.key = key
        self.binary = binary
    }

    static func start() async throws -> DeploySimulator {
        let binary = try #require(BuiltProduct.path("exe-cli"), "exe-cli is not built")
        let scratch = try TemporaryDirectory(prefix: "exe-deploy-e2e")
        let pair = try await SSHKeyPair.generate(type: "ed25519", at: scratch.file("client_key"), comment: "deploy-tests")
        do {
            let harness = try await SimulatorHarness.start(authorizedKeys: [pair.publicPath])
            return DeploySimulator(harness: harness, scratch: scratch, key: pair.privatePath, binary: binary)
        } catch {
            scratch.remove()
            throw error
        }
    }

    func stop() async throws {
        defer { scratch.remove() }
        ConnectionHolderProcesses.stop(under: scratch.path)
        try await harness.stop()
    }

    /// The registry token every deploy uses (the secret the tests search for).
    var registryToken: Secret { harness.registryPassword }

    /// What `exe-cli` sees: the simulator's address and keys, the registry
    /// token in `EXE_REGISTRY_PASSWORD`, and every other `EXE_*` setting of
    /// the test process blanked.
    var environment: [String: String] {
        var environment: [String: String] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("EXE_") { environment[name] = "" }
        environment["HOME"] = scratch.path
        environment["USER"] = harness.user
        environment["SSH_AUTH_SOCK"] = ""
        environment["XDG_STATE_HOME"] = scratch.file("state")
        environment["XDG_CONFIG_HOME"] = scratch.file("config")
        environment["XDG_RUNTIME_DIR"] = scratch.file("run")
        environment["EXE_CONTROL_HOST"] = "\(harness.controlHost):\(harness.controlPort)"
        environment["EXE_KNOWN_HOSTS"] = harness.knownHostsPath
        environment["EXE_VM_PROXY"] = harness.vmProxy
        environment["EXE_IDENTITY"] = key
        environment["EXE_REGISTRY_PASSWORD"] = registryToken.reveal()
        environment["EXE_DEPLOY_REGISTRY_USER"] = harness.registryUser
        environment["EXE_DEPLOY_ACTOR"] = "tester@deploy-tests"
        return environment
    }

    /// Runs `exe-cli arguments` in `directory`.
    func cli(_ arguments: [String], in directory: String, environment extra: [String: String] = [:], timeout: Duration = .seconds(180))
        async throws -> ProcessOutput
    {
        try await LocalProcessRunner().run(ProcessInvocation(
            binary, arguments, environment: environment.merging(extra) { _, new in new }, workingDirectory: directory,
            standardInput: Data(), timeout: timeout))
    }

    /// A control-plane command's single JSON answer.
    func control(_ command: String) async throws -> [String: Any] {
        let output = try await harness.ssh(command + " --json", key: key)
        try #require(output.status == 0, "\(command): \(output.stdout)\(output.stderr)")
        let last = try #require(output.stdout.split(separator: "\n").last, "\(command) printed nothing")
        return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    }

    /// A command run on `vm` through its own sshd.
    func onVM(_ vm: String, _ command: String, standardInput: Data? = nil) async throws -> ProcessOutput {
        let list = try await control("ls \(vm)")
        let entry = try #require((list["vms"] as? [[String: Any]])?.first { $0["vm_name"] as? String == vm }, "no VM \(vm)")
        return try await harness.ssh(port: try #require(entry["ssh_port"] as? Int), command, key: key, standardInput: standardInput)
    }

    /// The VM's `ls` entry, or `nil`.
    func vm(_ name: String) async throws -> [String: Any]? {
        let list = try await control("ls")
        return (list["vms"] as? [[String: Any]])?.first { $0["vm_name"] as? String == name }
    }

    /// Every VM's name.
    func vmNames() async throws -> [String] {
        ((try await control("ls"))["vms"] as? [[String: Any]] ?? []).compactMap { $0["vm_name"] as? String }.sorted()
    }

    /// GET a VM URL with curl as the VM's owner would (a VM-scoped token
    /// for the VM the URL names, revoked afterwards: a private VM redirects
    /// anonymous requests to the login): status and body.
    func get(_ url: String) async throws -> (status: Int, body: String) {
        let host = try #require(URL(string: url)?.host, "not a URL: \(url)")
        let vm = String(host.split(separator: ".").first ?? "")
        let label = "test-get-" + UUID().uuidString.prefix(8).lowercased()
        let token = try await harness.mintVMToken(key: key, vm: vm, label: label)
        defer { Task { _ = try? await harness.ssh("ssh-key remove \(label)", key: key) } }
        let response = try await harness.fetch(url, headers: ["X-Exedev-Authorization: Bearer \(token.reveal())"])
        return (response.status, response.body)
    }

    /// An app's source directory: a busybox image serving `page` on 8080
    /// (or failing, or printing its environment first) and its config.
    func makeApp(_ name: String, pattern: DeployPattern = .replace, behaviour: AppBehaviour = .serves, page: String = "v1", config extra: String = "")
        throws -> String
    {
        let directory = scratch.file("apps/\(name)")
        try FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: directory + "/busybox") {
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: directory + "/busybox")
        }
        try write(behaviour, page: page, in: directory)
        let config = """
            version: 1
            app: \(name)
            pattern: \(pattern.rawValue)
            port: 8080
            image:
              repository: \(harness.registry)/\(name)
              builder: buildah
            health:
              timeout: 20s
            \(extra)
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/exe.deploy.yaml"))
        return directory
    }

    /// Rewrites an app's Dockerfile and page.
    func write(_ behaviour: AppBehaviour, page: String, in directory: String) throws {
        let entrypoint: String
        switch behaviour {
        case .serves: entrypoint = #"["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]"#
        case .fails: entrypoint = #"["/bin/busybox", "sh", "-c", "echo starting; echo 'fatal: cannot open config' >&2; exit 3"]"#
        case .printsEnvironment:
            entrypoint = #"["/bin/busybox", "sh", "-c", "/bin/busybox env; exec /bin/busybox httpd -f -v -p 8080 -h /www"]"#
        case .printsEnvironmentAndFails:
            entrypoint = #"["/bin/busybox", "sh", "-c", "/bin/busybox env; echo 'fatal: giving up' >&2; exit 4"]"#
        }
        let dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nEXPOSE 8080\nENTRYPOINT \(entrypoint)\n"
        try Data(dockerfile.utf8).write(to: URL(fileURLWithPath: directory + "/Dockerfile"))
        try Data("<h1>\(page)</h1>\n".utf8).write(to: URL(fileURLWithPath: directory + "/www/index.html"))
    }

    enum AppBehaviour { case serves, fails, printsEnvironment, printsEnvironmentAndFails }
}

/// The suite's simulator.
enum DeploySimulatorScope {
    @TaskLocal static var current: DeploySimulator?

    static var simulator: DeploySimulator {
        get throws { try #require(current, "the suite needs the .deploySimulator trait") }
    }
}

/// Starts one simulator for the suite and stops it afterwards (by pid,
/// through `exe-sim down`), also when a test fails, holding ``SimulatorGate``
/// meanwhile so other modules' simulators wait.
struct DeploySimulatorTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await SimulatorGate.withTurn(label: test.name, start: DeploySimulator.start, stop: { try await $0.stop() }) { simulator in
            try await DeploySimulatorScope.$current.withValue(simulator) { try await function() }
        }
    }
}

extension Trait where Self == DeploySimulatorTrait {
    /// One simulator for the suite.
    static var deploySimulator: Self { DeploySimulatorTrait() }
}

/// JSON objects printed by `exe-cli --json`.
enum JSONOutput {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }
}
