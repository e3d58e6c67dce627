public import ExeSystem
public import Foundation

/// A running `exe-sim` for integration tests: started with `exe-sim up`
/// under a temporary directory on free ports, stopped with `exe-sim down`.
///
/// Drive it with the real OpenSSH client through ``ssh(_:key:standardInput:)``
/// (or your own client, using ``controlPort``, ``knownHostsPath`` and
/// ``user``) and with HTTP against ``apiURL``.
public final class SimulatorHarness: @unchecked Sendable {
    /// Scratch space: the state directory and helper files live here.
    public let directory: TemporaryDirectory
    /// The simulator's state directory (`EXE_SIM_STATE`).
    public let stateDirectory: String
    /// The control plane's host (`127.0.0.1`).
    public let controlHost: String
    /// The control plane's port.
    public let controlPort: Int
    /// A known_hosts file with the control plane's and every VM's host keys.
    public let knownHostsPath: String
    /// `http://127.0.0.1:PORT/exec`.
    public let apiURL: String
    /// `127.0.0.1:PORT`: where every VM URL (`http://<vm>.exe-sim.localhost[:PORT]/`)
    /// is served over plain HTTP, routed by its `Host` header (`EXE_VM_PROXY_HTTP`; `EXE_VM_PROXY` is the TLS terminator under `up --tls`).
    public let vmProxy: String
    /// The registry's `host:port`.
    public let registry: String
    /// The registry user.
    public let registryUser: String
    /// The registry password.
    public let registryPassword: Secret
    /// The CA certificate to trust for the TLS addresses (`EXE_CA_FILE`),
    /// when started with `tls`.
    public let caFile: String?
    /// `https://127.0.0.1:PORT/exec` through the TLS terminator (`EXE_API_URL_TLS`), when started with `tls`.
    public let tlsAPIURL: String?
    /// `127.0.0.1:PORT` of the TLS terminator in front of the VM proxy (`EXE_VM_PROXY_TLS`), when started with `tls`.
    public let tlsVMProxy: String?
    /// `EXE_VM_PROXY` as `up` printed it: where a client reaches the VM URLs
    /// `https_url` names (the TLS terminator under `up --tls`).
    public let printedVMProxy: String
    /// The local user that logs in to the control plane and to VMs.
    public let user: String
    /// The `exe-sim` executable.
    public let executable: String
    private let runner = LocalProcessRunner()

    private init(directory: TemporaryDirectory, executable: String, exports: [String: String]) throws {
        func value(_ key: String) throws -> String {
            guard let value = exports[key] else { throw SimulatorHarnessError(message: "exe-sim up printed no \(key)") }
            return value
        }
        self.directory = directory
        self.executable = executable
        stateDirectory = try value("EXE_SIM_STATE")
        let control = try value("EXE_CONTROL_HOST")
        let parts = control.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw SimulatorHarnessError(message: "bad EXE_CONTROL_HOST \(control)") }
        controlHost = String(parts[0])
        controlPort = port
        knownHostsPath = try value("EXE_KNOWN_HOSTS")
        apiURL = try value("EXE_API_URL")
        vmProxy = try value("EXE_VM_PROXY_HTTP")
        printedVMProxy = try value("EXE_VM_PROXY")
        registry = try value("EXE_REGISTRY")
        registryUser = try value("EXE_REGISTRY_USER")
        registryPassword = Secret(try value("EXE_REGISTRY_PASSWORD"))
        caFile = exports["EXE_CA_FILE"]
        tlsAPIURL = exports["EXE_API_URL_TLS"]
        tlsVMProxy = exports["EXE_VM_PROXY_TLS"]
        user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
    }

    /// Whether `up` gave each VM its own network namespace (`vmNetwork` in
    /// the state directory's `sim.json`; root and `ip netns` are needed).
    public var isolatesVMNetworks: Bool {
        guard let data = FileManager.default.contents(atPath: stateDirectory + "/sim.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return false }
        return object["vmNetwork"] as? String == "isolated"
    }

    /// curl's arguments that send a request for any VM URL to ``vmProxy``
    /// (the URL's host and port stay in the `Host` header).
    public var curlConnectTo: [String] { ["--connect-to", "::" + vmProxy] }

    /// The built `exe-sim` (``BuiltProduct``): `EXE_SIM_BINARY` if set, else
    /// the file next to the running test bundle.
    public static func locateExecutable() throws -> String {
        guard let path = BuiltProduct.path("exe-sim") else {
            throw SimulatorHarnessError(message: "exe-sim is not built next to the tests; run swift build first or set EXE_SIM_BINARY")
        }
        return path
    }

    /// Parses `export KEY=VALUE` lines (values single-quoted or plain).
    public static func parseExports(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let body = line.dropFirst("export ".count)
            guard let equals = body.firstIndex(of: "=") else { continue }
            var value = String(body[body.index(after: equals)...])
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "'\\''", with: "'")
            }
            result[String(body[..<equals])] = value
        }
        return result
    }

    /// Runs `exe-sim up` for a fresh state directory, registering the
    /// public key files `authorizedKeys`; with `tls`, `up --tls`.
    public static func start(
        authorizedKeys: [String], email: String? = nil, environment: [String: String] = [:], tls: Bool = false
    ) async throws -> SimulatorHarness {
        let executable = try locateExecutable()
        let directory = try TemporaryDirectory(prefix: "exe-sim")
        var arguments = ["up", "--state", directory.file("state")]
        for key in authorizedKeys { arguments += ["--authorize", key] }
        if let email { arguments += ["--email", email] }
        if tls { arguments.append("--tls") }
        let output = try await LocalProcessRunner().run(
            ProcessInvocation(executable, arguments, environment: environment, timeout: .seconds(120)))
        guard output.status == 0 else {
            directory.remove()
            throw SimulatorHarnessError(message: "exe-sim up failed (\(output.status)): \(output.stderr)")
        }
        return try SimulatorHarness(directory: directory, executable: executable, exports: parseExports(output.stdout))
    }

    /// Runs `exe-sim down` (stopping every process by pid) and deletes the
    /// temporary directory.
    public func stop() async throws {
        let output = try await runner.run(ProcessInvocation(executable, ["down", "--purge", "--state", stateDirectory], timeout: .seconds(120)))
        directory.remove()
        guard output.status == 0 else { throw SimulatorHarnessError(message: "exe-sim down failed: \(output.stderr)") }
    }

    /// The OpenSSH options that pin the simulator's host keys. Every VM
    /// presents the control plane's key (as exe.dev's VMs present exe.dev's),
    /// so the key is checked under the control host's name (`HostKeyAlias`,
    /// what exe.dev users write for `*.exe.xyz`).
    public func sshOptions(key: String, port: Int) -> [String] {
        [
            "-F", "/dev/null", "-o", "UserKnownHostsFile=\(knownHostsPath)", "-o", "StrictHostKeyChecking=yes",
            "-o", "HostKeyAlias=\(controlKnownHostsName)",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-i", key, "-p", String(port),
        ]
    }

    /// The control sshd's name in known_hosts, `[127.0.0.1]:PORT`.
    public var controlKnownHostsName: String { "[\(controlHost)]:\(controlPort)" }

    /// Runs `command` on the control plane with `ssh` and the private key
    /// at `key`. stdin is `/dev/null` unless `standardInput` is given.
    public func ssh(_ command: String, key: String, standardInput: Data? = nil) async throws -> ProcessOutput {
        try await ssh(port: controlPort, command, key: key, standardInput: standardInput)
    }

    /// Runs `command` with `ssh` against 127.0.0.1:`port` (a VM's `ssh_port`).
    public func ssh(port: Int, _ command: String, key: String, standardInput: Data? = nil) async throws -> ProcessOutput {
        try await runner.run(ProcessInvocation(
            "ssh", sshOptions(key: key, port: port) + ["\(user)@\(controlHost)", command], standardInput: standardInput,
            timeout: .seconds(120)))
    }

    /// Runs a command that holds a secret: the command line goes into a
    /// mode-0600 ssh config file (`RemoteCommand`), never into argv.
    public func sshSecret(port: Int? = nil, _ command: String, key: String) async throws -> ProcessOutput {
        let config = directory.file("ssh-config-\(UUID().uuidString)")
        let escaped = command.replacingOccurrences(of: "%", with: "%%")
        try directory.write((config as NSString).lastPathComponent, "Host *\n  RemoteCommand \(escaped)\n", mode: 0o600)
        defer { unlink(config) }
        var options = sshOptions(key: key, port: port ?? controlPort)
        options[1] = config
        return try await runner.run(ProcessInvocation("ssh", options + ["\(user)@\(controlHost)"], timeout: .seconds(180)))
    }

    /// Mints an API token with `ssh-key generate-api-key` over SSH.
    public func mintAPIToken(key: String, label: String, cmds: [String]? = nil, exp: String? = nil) async throws -> Secret {
        var command = "ssh-key generate-api-key --json --label=\(ShellQuote.word(label))"
        if let cmds { command += " --cmds=\(ShellQuote.word(cmds.joined(separator: ",")))" }
        if let exp { command += " --exp=\(ShellQuote.word(exp))" }
        let output = try await ssh(command, key: key)
        guard output.status == 0,
            let object = try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any],
            let token = object["token"] as? String
        else { throw SimulatorHarnessError(message: "generate-api-key failed: \(output.stdout)") }
        return Secret(token)
    }

    /// POSTs `body` to `/exec` with `curl`; the token goes through a 0600
    /// header file, the body through a file, so neither is in argv.
    /// Returns the HTTP status and the body exactly as sent (the server ends
    /// a non-empty body with a newline).
    public func exec(_ body: String, token: Secret?, method: String = "POST") async throws -> (status: Int, body: String) {
        let id = UUID().uuidString
        let bodyFile = try directory.write("body-\(id)", body, mode: 0o600)
        let headerFile = try directory.write("header-\(id)", token.map { "Authorization: Bearer \($0.reveal())\n" } ?? "X-None: 1\n", mode: 0o600)
        defer {
            unlink(bodyFile)
            unlink(headerFile)
        }
        let output = try await runner.run(ProcessInvocation(
            "curl", ["-s", "-X", method, "-H", "@\(headerFile)", "--data-binary", "@\(bodyFile)", "-w", "\n%{http_code}", apiURL],
            timeout: .seconds(60)))
        guard let cut = output.stdout.lastIndex(of: "\n") else { return (0, output.stdout) }
        return (Int(output.stdout[output.stdout.index(after: cut)...]) ?? 0, String(output.stdout[..<cut]))
    }

    /// POSTs `body` `count` times from one `curl` process (parallel
    /// transfers), returning each response's status and body in request
    /// order: fast enough to exhaust the rate limit.
    public func execBurst(_ body: String, token: Secret, count: Int) async throws -> [(status: Int, body: String)] {
        let id = UUID().uuidString
        let bodyFile = try directory.write("body-\(id)", body, mode: 0o600)
        let headerFile = try directory.write("header-\(id)", "Authorization: Bearer \(token.reveal())\n", mode: 0o600)
        let outputs = directory.file("burst-\(id)")
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        defer {
            unlink(bodyFile)
            unlink(headerFile)
            try? FileManager.default.removeItem(atPath: outputs)
        }
        let output = try await runner.run(ProcessInvocation(
            "curl",
            ["-s", "--parallel", "--parallel-max", "16", "-X", "POST", "-H", "@\(headerFile)", "--data-binary", "@\(bodyFile)",
             "-o", "\(outputs)/#1", "-w", "%{url_effective} %{http_code}\n", "\(apiURL)?n=[1-\(count)]"],
            timeout: .seconds(120)))
        var results: [Int: (Int, String)] = [:]
        for line in output.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let status = Int(fields[1]), let equals = fields[0].lastIndex(of: "="),
                let index = Int(fields[0][fields[0].index(after: equals)...])
            else { continue }
            let text = (try? String(contentsOfFile: "\(outputs)/\(index)", encoding: .utf8)) ?? ""
            results[index] = (status, text)
        }
        return results.keys.sorted().compactMap { results[$0] }
    }
}

/// The simulator could not be started, driven or stopped.
public struct SimulatorHarnessError: Error, CustomStringConvertible, Sendable {
    /// What happened.
    public let message: String
    public var description: String { message }
    /// Creates an error.
    public init(message: String) { self.message = message }
}
