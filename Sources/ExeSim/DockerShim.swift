import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The `docker` command inside a VM: what deploy scripts run (`login`,
/// `compose -f FILE pull|up|ps|logs|down`, `ps`, `logs`, `pull`, `stop`,
/// `start`, `restart`, `rm`), carried out with podman in the simulator's
/// own mount namespace, with VM paths translated to the VM's directories
/// and container ports published on free loopback ports recorded for the
/// VM's `https_url`.
package struct DockerShim {
    let configuration: SimConfiguration
    let vmID: String
    let marker: String
    /// The VM's directory as seen from inside the VM.
    let vmDirectory: String
    /// The VM's directory as seen from the host (podman's view).
    let hostVMDirectory: String
    let runtime: ContainerRuntime
    let standardInput: () -> Data
    private(set) var stdout = ""
    private(set) var stderr = ""

    /// Runs `docker arguments...` inside a VM; returns the exit status.
    package static func run(arguments: [String], environment: [String: String]) -> Int32 {
        guard let vmID = environment["EXE_SIM_VM_ID"], let marker = environment["EXE_SIM_VM"],
            let hostRoot = environment["EXE_SIM_VM_ROOT"],
            let data = FileManager.default.contents(atPath: VMShell.runtimeDirectory + "/sim.json"),
            let configuration = try? JSONDecoder().decode(SimConfiguration.self, from: data)
        else {
            FileHandle.standardError.write(Data("docker: exe-sim's docker works only inside a simulated VM\n".utf8))
            return 1
        }
        let runtime = ContainerRuntime(
            runner: SyncProcessRunner(), instanceID: configuration.instanceID,
            mountNamespacePID: environment["EXE_SIM_DAEMON_PID"].flatMap { Int32($0) })
        var shim = DockerShim(
            configuration: configuration, vmID: vmID, marker: marker, vmDirectory: VMShell.runtimeDirectory + "/vm",
            hostVMDirectory: hostRoot, runtime: runtime,
            standardInput: { FileHandle.standardInput.readData(upToCount: 1 << 20) })
        let status = shim.execute(arguments)
        FileHandle.standardOutput.write(Data(shim.stdout.utf8))
        FileHandle.standardError.write(Data(shim.stderr.utf8))
        return status
    }

    var containersPath: String { vmDirectory + "/containers.json" }
    var lockPath: String { vmDirectory + "/vm.lock" }
    var authPath: String { vmDirectory + "/auth.json" }
    var hostAuthPath: String { hostVMDirectory + "/auth.json" }

    mutating func out(_ text: String) { stdout += text + "\n" }
    mutating func err(_ text: String) { stderr += text + "\n" }

    /// Runs one docker command line.
    mutating func execute(_ arguments: [String]) -> Int32 {
        var words = arguments[...]
        while let first = words.first, first.hasPrefix("-") { words = words.dropFirst() }
        guard let command = words.first else {
            out("Usage:  docker [OPTIONS] COMMAND  (exe-sim: login, compose, ps, logs, pull, tag, rmi, load, exec, inspect, image inspect|tag|rm, stop, start, restart, rm)")
            return 0
        }
        let rest = Array(words.dropFirst())
        switch command {
        case "login": return login(rest)
        case "compose": return compose(rest)
        case "ps": return ps(rest)
        case "logs": return logs(rest)
        case "pull": return pull(rest)
        case "tag": return tag(rest)
        case "rmi": return removeImages(rest)
        case "image":
            switch rest.first {
            case "tag": return tag(Array(rest.dropFirst()))
            case "rm": return removeImages(Array(rest.dropFirst()))
            case "inspect": return imageInspect(Array(rest.dropFirst()))
            default:
                err("exe-sim's docker image supports inspect, tag and rm")
                return 1
            }
        case "load": return load(rest)
        case "exec": return exec(rest)
        case "inspect": return inspect(rest)
        case "stop", "start", "restart", "rm": return manage(command, rest)
        case "version", "--version":
            out("Docker version 24.0.0-exe-sim (podman underneath)")
            return 0
        default:
            err("docker: '\(command)' is not a docker command (exe-sim supports login, compose, ps, logs, pull, tag, rmi, load, exec, inspect, image inspect|tag|rm, stop, start, restart, rm).")
            return 1
        }
    }

    // MARK: paths

    /// The host path of a path inside the VM.
    func hostPath(_ path: String) -> String {
        let mappings = [
            ("/data", hostVMDirectory + "/fs/data"), ("/tmp", hostVMDirectory + "/fs/tmp"),
            (configuration.home, hostVMDirectory + "/fs/home"),
        ]
        for (inside, outside) in mappings where path == inside || path.hasPrefix(inside + "/") {
            return outside + path.dropFirst(inside.count)
        }
        return path
    }

    func absolute(_ path: String, relativeTo directory: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return configuration.home + path.dropFirst(1) }
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return directory + "/" + trimmed
    }

    // MARK: login

    mutating func login(_ arguments: [String]) -> Int32 {
        var user: String?
        var password: String?
        var fromStdin = false
        var server: String?
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            switch word {
            case "-u", "--username":
                index += 1
                user = index < arguments.count ? arguments[index] : nil
            case "-p", "--password":
                index += 1
                password = index < arguments.count ? arguments[index] : nil
                err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
            case "--password-stdin": fromStdin = true
            default:
                if word.hasPrefix("--username=") { user = String(word.dropFirst(11)) } else if word.hasPrefix("-u=") { user = String(word.dropFirst(3)) } else if !word.hasPrefix("-") { server = word }
            }
            index += 1
        }
        if fromStdin {
            var text = String(decoding: standardInput(), as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            password = text
        }
        guard let user, !user.isEmpty else {
            err("Error: Cannot perform an interactive login from a non TTY device")
            return 1
        }
        guard let password, !password.isEmpty else {
            err("Error: Cannot perform an interactive login from a non TTY device")
            return 1
        }
        let registry = server ?? "docker.io"
        switch DockerRegistryRoute(registry: registry, configuration: configuration) {
        case .simulatorRegistry:
            break
        case .vmProxy(let host):
            // dockerd pings without credentials first; a private VM's proxy
            // redirects that ping to the login, so nothing is ever sent.
            if let refusal = DockerRegistryRoute.anonymousPing(host: host, daemonPort: configuration.apiPort) {
                err(refusal)
                return 1
            }
            err("Error response from daemon: \(host) is a public VM's registry: it needs no login (exe-sim)")
            return 1
        case .loopback, .unreachable:
            err("Error response from daemon: Get \"https://\(registry)/v2/\": dial tcp: lookup \(registry): no such host (exe-sim's docker logs in to its registry \(configuration.registryAddress) only)")
            return 1
        }
        let secret = Secret(password)
        let accepted: Bool
        do {
            accepted = try RegistryClient(port: configuration.registryPort).checkLogin(user: user, password: secret)
        } catch {
            err("Error response from daemon: Get \"http://\(registry)/v2/\": \(error)")
            return 1
        }
        guard accepted else {
            err("Error response from daemon: login attempt to http://\(registry)/v2/ failed with status: 401 Unauthorized")
            return 1
        }
        do {
            try RegistryAuthFile.write(registry: registry, credentials: Secret("\(user):\(password)"), to: authPath)
        } catch {
            err("Error saving credentials: \(error)")
            return 1
        }
        out("Login Succeeded")
        return 0
    }

    // MARK: records

    func loadContainers() -> VMContainers { VMContainers.load(containersPath) }

    func withContainers<T>(_ body: (inout VMContainers) throws -> T) throws -> T {
        try FileLock.withLock(path: lockPath, timeout: .seconds(300)) {
            var containers = VMContainers.load(containersPath)
            let result = try body(&containers)
            try containers.save(containersPath)
            return result
        }
    }

    func authFileIfAny() -> String? {
        FileManager.default.fileExists(atPath: authPath) ? hostAuthPath : nil
    }

    /// Pulls `image`, with the message Docker prints when it is missing.
    mutating func pullImage(_ image: String) -> Bool {
        guard let reference = ImageName(image) else {
            err("Error response from daemon: invalid reference format: \(image)")
            return false
        }
        let route = DockerRegistryRoute(registry: reference.registry, configuration: configuration)
        if route == .unreachable {
            err("Error response from daemon: Get \"https://\(reference.registry)/v2/\": dial tcp: lookup \(reference.registry): no such host (exe-sim reaches its registry \(configuration.registryAddress), registries on the VM's loopback and VMs' addresses only)")
            return false
        }
        guard configuration.containerRuntimeAvailable else {
            err("Cannot connect to the Docker daemon: no container runtime works on this machine (\(configuration.containerRuntimeProblem ?? "podman unavailable"))")
            return false
        }
        do {
            switch route {
            case .vmProxy(let host):
                if let refusal = DockerRegistryRoute.anonymousPing(host: host, daemonPort: configuration.apiPort) {
                    err(refusal)
                    return false
                }
                guard let pull = VMRegistryPull(reference: image, daemonPort: configuration.apiPort) else { return false }
                try pull.pull(into: runtime, registryAuth: nil)
            case .loopback:
                // Plain HTTP (Docker's default insecure 127.0.0.0/8); no stored credentials.
                try runtime.pull(image, authFile: nil)
            default:
                try runtime.pull(image, authFile: authFileIfAny())
            }
            return true
        } catch {
            let message = "\(error)"
            if message.contains("manifest unknown") || message.contains("not found") {
                err("Error response from daemon: manifest for \(image) not found: manifest unknown: manifest unknown")
            } else if message.contains("unauthorized") || message.contains("authentication required") {
                err("Error response from daemon: pull access denied for \(reference.repository), repository does not exist or may require 'docker login': denied: requested access to the resource is denied")
            } else {
                err("Error response from daemon: \(message)")
            }
            return false
        }
    }

    mutating func pull(_ arguments: [String]) -> Int32 {
        guard let image = arguments.first(where: { !$0.hasPrefix("-") }) else {
            err("\"docker pull\" requires exactly 1 argument.")
            return 1
        }
        guard pullImage(image) else { return 1 }
        out("Status: Downloaded newer image for \(image)")
        out(image)
        return 0
    }

    // MARK: ps / logs / manage

    func portsText(_ record: ContainerRecord) -> String {
        record.ports.map { "0.0.0.0:\($0.vmPort)->\($0.containerPort)/tcp" }.joined(separator: ", ")
    }

    mutating func ps(_ arguments: [String]) -> Int32 {
        var format: String?
        var all = false
        var quiet = false
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--format" {
                index += 1
                format = index < arguments.count ? arguments[index] : nil
            } else if word.hasPrefix("--format=") {
                format = String(word.dropFirst(9))
            } else if word == "-a" || word == "--all" {
                all = true
            } else if word == "-q" || word == "--quiet" {
                quiet = true
            }
            index += 1
        }
        let records = loadContainers().containers
        let statuses = configuration.containerRuntimeAvailable ? runtime.statuses(label: "exe-sim.vm", value: marker) : [:]
        let rows = records.compactMap { record -> [String: String]? in
            let status = statuses[record.podmanName] ?? "Exited"
            if !all, !status.hasPrefix("Up") { return nil }
            return [
                "Names": record.displayName, "Image": record.image, "Status": status, "Ports": portsText(record),
                "ID": String(record.podmanName.suffix(12)), "State": status.hasPrefix("Up") ? "running" : "exited",
                "Service": record.service ?? "", "Command": "", "CreatedAt": "", "RunningFor": "",
            ]
        }
        if quiet {
            for row in rows { out(row["ID"] ?? "") }
            return 0
        }
        let template = (format ?? "table {{.ID}}\t{{.Image}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}").replacingOccurrences(of: "\\t", with: "\t")
        out(contentsOf: GoTemplateTable.render(template, rows: rows))
        return 0
    }

    mutating func out(contentsOf text: String) { stdout += text }
    mutating func err(contentsOf text: String) { stderr += text }

    func record(named name: String, in containers: VMContainers) -> ContainerRecord? {
        containers.containers.first { $0.displayName == name || $0.podmanName == name || $0.service == name }
    }

    /// The `--tail N` / `-n N` / `--tail=N` value and the names among the
    /// arguments of `docker logs` and `docker compose logs`.
    static func logsArguments(_ arguments: [String]) -> (tail: Int?, names: [String]) {
        var tail: Int?
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--tail" || word == "-n" {
                index += 1
                tail = index < arguments.count ? Int(arguments[index]) : nil
            } else if word.hasPrefix("--tail=") {
                tail = Int(word.dropFirst(7))
            } else if !word.hasPrefix("-") {
                names.append(word)
            }
            index += 1
        }
        return (tail, names)
    }

    mutating func logs(_ arguments: [String]) -> Int32 {
        let (tail, names) = Self.logsArguments(arguments)
        let name = names.last
        guard let name else {
            err("\"docker logs\" requires exactly 1 argument.")
            return 1
        }
        guard let record = record(named: name, in: loadContainers()) else {
            err("Error response from daemon: No such container: \(name)")
            return 1
        }
        guard let output = try? runtime.logs(record.podmanName, tail: tail) else {
            err("Error response from daemon: cannot read logs of \(name)")
            return 1
        }
        stdout += output.stdout
        stderr += output.stderr
        return output.status == 0 ? 0 : 1
    }

    mutating func manage(_ command: String, _ arguments: [String]) -> Int32 {
        let names = arguments.filter { !$0.hasPrefix("-") }
        guard !names.isEmpty else {
            err("\"docker \(command)\" requires at least 1 argument.")
            return 1
        }
        let containers = loadContainers()
        var status: Int32 = 0
        for name in names {
            guard let record = record(named: name, in: containers) else {
                err("Error response from daemon: No such container: \(name)")
                status = 1
                continue
            }
            switch command {
            case "stop": runtime.stop([record.podmanName])
            case "start":
                if (try? runtime.start([record.podmanName])) == nil { status = 1 }
            case "restart":
                runtime.stop([record.podmanName])
                if (try? runtime.start([record.podmanName])) == nil { status = 1 }
            default:
                runtime.remove([record.podmanName])
                _ = try? withContainers { $0.containers.removeAll { $0.podmanName == record.podmanName } }
            }
            out(name)
        }
        return status
    }
}
