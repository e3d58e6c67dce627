import ExeSystem
import ExeTestSupport
import Foundation

/// Measures what a client of the app sees while `exe-cli deploy` updates it
/// and rolls it back, against the local exe.dev (`exe-sim`), for both
/// patterns: a request loop (one GET every 10 ms through `EXE_VM_PROXY`, to
/// the VM's name-stable URL; loopback only, bounded in count and time) runs
/// during each operation and reports requests sent, failed (non-2xx or no
/// answer) and the longest gap between two answers, with the operation's time.
///
/// Usage: `swift build -c release && .build/release/deploy-benchmark [--interval-ms 10]`
@main
struct DeployBenchmark {
    static func main() async throws {
        let interval = BenchmarkReport.option("--interval-ms", default: 10)
        let scratch = try TemporaryDirectory(prefix: "exe-deploy-bench")
        defer { scratch.remove() }
        let key = try await SSHKeyPair.generate(type: "ed25519", at: scratch.file("client_key"))
        let simulator = try await SimulatorHarness.start(authorizedKeys: [key.publicPath])
        do {
            let bench = try Bench(simulator: simulator, scratch: scratch, key: key.privatePath, interval: .milliseconds(interval))
            print("deploy-benchmark: exe-sim, busybox httpd app, one GET every \(interval) ms through \(simulator.vmProxy)")
            print("pattern  operation   time      sent  failed  longest gap")
            try await bench.run(pattern: "compose")
            try await bench.run(pattern: "replace")
            try await simulator.stop()
        } catch {
            try? await simulator.stop()
            throw error
        }
    }
}

/// One benchmark run's fixtures: the simulator, `exe-cli` and its environment.
struct Bench {
    let simulator: SimulatorHarness
    let scratch: TemporaryDirectory
    let key: String
    let interval: Duration
    let cli: String
    let environment: [String: String]

    init(simulator: SimulatorHarness, scratch: TemporaryDirectory, key: String, interval: Duration) throws {
        self.simulator = simulator
        self.scratch = scratch
        self.key = key
        self.interval = interval
        cli = (try SimulatorHarness.locateExecutable() as NSString).deletingLastPathComponent + "/exe-cli"
        var environment: [String: String] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("EXE_") { environment[name] = "" }
        environment["HOME"] = scratch.path
        environment["SSH_AUTH_SOCK"] = ""
        environment["XDG_STATE_HOME"] = scratch.file("state")
        environment["XDG_CONFIG_HOME"] = scratch.file("config")
        environment["EXE_CONTROL_HOST"] = "\(simulator.controlHost):\(simulator.controlPort)"
        environment["EXE_KNOWN_HOSTS"] = simulator.knownHostsPath
        environment["EXE_VM_PROXY"] = simulator.vmProxy
        environment["EXE_IDENTITY"] = key
        environment["EXE_REGISTRY_PASSWORD"] = simulator.registryPassword.reveal()
        environment["EXE_DEPLOY_REGISTRY_USER"] = simulator.registryUser
        environment["EXE_DEPLOY_ACTOR"] = "bench@deploy-benchmark"
        self.environment = environment
    }

    func run(pattern: String) async throws {
        let name = "bench-\(pattern)"
        let directory = try makeApp(name, pattern: pattern, page: "v1")
        if pattern == "compose" { try await control("new --name=\(name)") }
        _ = try await deploy(["deploy"], in: directory)
        if pattern == "replace" { try await control("share set-public \(name)") }
        let url = "http://\(name).exe-sim.localhost/"
        let label = "bench-loop-\(pattern)"
        let token = try await simulator.mintVMToken(key: key, vm: name, label: label)
        try writePage("v2", in: directory)
        try await measure(pattern, "deploy", url: url, token: token) { try await deploy(["deploy"], in: directory) }
        try await measure(pattern, "rollback", url: url, token: token) { try await deploy(["deploy", "rollback"], in: directory) }
        _ = try? await simulator.ssh("ssh-key remove \(label)", key: key)
    }

    func measure(_ pattern: String, _ operation: String, url: String, token: Secret, _ body: () async throws -> String) async throws {
        let loop = try RequestLoop(
            url: url, connectTo: simulator.vmProxy, headers: ["X-Exedev-Authorization": Secret("Bearer " + token.reveal())],
            interval: interval, maxRequests: 50_000, maxDuration: .seconds(300))
        let clock = ContinuousClock()
        let start = clock.now
        let output: String
        do {
            output = try await body()
        } catch {
            _ = await loop.stop()
            throw error
        }
        let time = clock.now - start
        try await Task.sleep(for: .milliseconds(500))
        let report = await loop.stop()
        print(
            pattern.padding(toLength: 9, withPad: " ", startingAt: 0) + operation.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(
                    format: "%6.2f s  %6d  %6d  %6d ms", BenchmarkReport.seconds(time), report.sent, report.failed,
                    RequestLoopReport.milliseconds(report.longestGap)))
        if let timing = output.split(separator: "\n").first(where: { $0.hasPrefix("timing:") }) { print("         \(timing)") }
        if let first = report.failures.first {
            print("         failures from \(RequestLoopReport.milliseconds(first.at)) ms to \(RequestLoopReport.milliseconds(report.failures.last!.at)) ms: \(first.reason)")
        }
    }

    func deploy(_ arguments: [String], in directory: String) async throws -> String {
        let output = try await LocalProcessRunner().run(ProcessInvocation(
            cli, arguments, environment: environment, workingDirectory: directory, standardInput: Data(), timeout: .seconds(300)))
        guard output.status == 0 else {
            throw SimulatorHarnessError(message: "exe-cli \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
        }
        return output.stdout
    }

    func control(_ command: String) async throws {
        let output = try await simulator.ssh(command, key: key)
        guard output.status == 0 else { throw SimulatorHarnessError(message: "\(command): \(output.stdout)\(output.stderr)") }
    }

    /// A busybox httpd app serving `page` on 8080, and its exe.deploy.yaml.
    func makeApp(_ name: String, pattern: String, page: String) throws -> String {
        let directory = scratch.file("apps/\(name)")
        try FileManager.default.createDirectory(atPath: directory + "/www", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: directory + "/busybox")
        let dockerfile = #"""
            FROM scratch
            COPY busybox /bin/busybox
            COPY www /www
            EXPOSE 8080
            ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/www"]

            """#
        try Data(dockerfile.utf8).write(to: URL(fileURLWithPath: directory + "/Dockerfile"))
        try writePage(page, in: directory)
        let config = """
            version: 1
            app: \(name)
            pattern: \(pattern)
            port: 8080
            image:
              repository: \(simulator.registry)/\(name)
              builder: buildah
            health:
              timeout: 30s

            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/exe.deploy.yaml"))
        return directory
    }

    func writePage(_ page: String, in directory: String) throws {
        try Data("<h1>\(page)</h1>\n".utf8).write(to: URL(fileURLWithPath: directory + "/www/index.html"))
    }
}
