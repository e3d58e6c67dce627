import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim up`, `down` and `status`: starts the registry, the control
/// sshd, the daemon and every VM's sshd and containers for a state
/// directory, records their pids, and stops them by those pids.
package struct SimLauncher: Sendable {
    /// The state directory's paths.
    package let paths: SimPaths
    /// Runs helper programs.
    package let runner: SyncProcessRunner
    /// The `exe-sim` executable to use in forced commands and for the daemon.
    package let executable: String

    /// A launcher for `stateDirectory` (made absolute).
    package init(stateDirectory: String, executable: String, runner: SyncProcessRunner = SyncProcessRunner()) {
        let absolute = stateDirectory.hasPrefix("/") ? stateDirectory : FileManager.default.currentDirectoryPath + "/" + stateDirectory
        paths = SimPaths(root: URL(fileURLWithPath: absolute).standardizedFileURL.path)
        self.runner = runner
        self.executable = executable
    }

    /// What `up` was asked for.
    package struct UpOptions: Sendable {
        /// The control sshd's port (`nil`: a free one).
        package var port: Int?
        /// Public key files to register.
        package var authorize: [String]
        /// The account email.
        package var email: String?
        /// Also serve `/exec` and the VM proxy over TLS (``TLSTerminator``);
        /// once on, later `up`s keep it on.
        package var tls: Bool

        /// Creates options.
        package init(port: Int? = nil, authorize: [String] = [], email: String? = nil, tls: Bool = false) {
            self.port = port
            self.authorize = authorize
            self.email = email
            self.tls = tls
        }
    }

    var registryPID: String { paths.registryDirectory + "/registry.pid" }
    var controlPID: String { paths.controlDirectory + "/sshd.pid" }

    /// Starts whatever is not running and returns the environment lines.
    package func up(_ options: UpOptions) throws -> String {
        try FileManager.default.createDirectory(atPath: paths.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let lock = try FileLock.acquire(path: paths.lifecycleLock, timeout: .seconds(120))
        defer { lock.unlock() }
        var configuration = try loadOrCreateConfiguration(options)
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        try registerKeys(options.authorize, store: store, configuration: configuration)
        let lifecycle = MachineVMLifecycle(configuration: configuration, runner: runner)
        try lifecycle.writeAuthorizedKeys(try store.snapshot().keys)

        try startRegistry(&configuration)
        try startControl(&configuration, requestedPort: options.port)
        try save(configuration)
        try startDaemon(&configuration)
        try save(configuration)
        if options.tls || configuration.tlsPort != nil {
            try TLSTerminator(paths: paths, runner: runner).start(&configuration)
            try save(configuration)
        }
        try startVMs(MachineVMLifecycle(configuration: configuration, runner: runner), store: store)
        return SimEnvironmentLines(configuration: configuration, paths: paths, registryPassword: registryPassword()).text
    }

    private func save(_ configuration: SimConfiguration) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(configuration), to: paths.configuration, mode: 0o600)
    }

    private func registryPassword() -> Secret {
        Secret(((try? String(contentsOfFile: paths.registryPassword, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func loadOrCreateConfiguration(_ options: UpOptions) throws -> SimConfiguration {
        if var existing = try? SimConfiguration.load(paths) {
            existing.executable = executable
            return existing
        }
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
        let home = NSHomeDirectoryForUser(user) ?? ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let runtimeProblem: String?
        if ProcessInfo.processInfo.environment["EXE_SIM_CONTAINER_RUNTIME"] == "none" {
            runtimeProblem = "disabled by EXE_SIM_CONTAINER_RUNTIME=none"
        } else {
            runtimeProblem = ContainerRuntime(runner: runner, instanceID: "probe").probe()
        }
        let networkProblem: String?
        if ProcessInfo.processInfo.environment["EXE_SIM_VM_NETWORK"] == "shared" {
            networkProblem = "chosen by EXE_SIM_VM_NETWORK=shared"
        } else {
            networkProblem = VMNetwork.problem(runner: runner)
        }
        var configuration = SimConfiguration(
            stateDirectory: paths.root, executable: executable, user: user, home: home,
            email: options.email ?? "\(user)@exe-sim.localhost", controlPort: 0, apiPort: 0, registryPort: 0,
            registryUser: "exe-sim", containerRuntimeAvailable: runtimeProblem == nil,
            containerRuntimeProblem: runtimeProblem, instanceID: RandomToken.alphanumeric(count: 8).lowercased(),
            lobbyWindowSeconds: ProcessInfo.processInfo.environment["EXE_SIM_LOBBY_WINDOW"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil })
        configuration.vmNetwork = networkProblem == nil ? .isolated : .shared
        configuration.vmNetworkProblem = networkProblem
        return configuration
    }

    private func registerKeys(_ files: [String], store: StateStore, configuration: SimConfiguration) throws {
        var keyFiles = files
        if keyFiles.isEmpty, (try? store.snapshot().keys.isEmpty) ?? true {
            // `~` is the caller's $HOME (as a shell would expand it), not the passwd home.
            let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.home
            let fallback = home + "/.ssh/id_ed25519.pub"
            if FileManager.default.fileExists(atPath: fallback) { keyFiles = [fallback] }
        }
        guard !keyFiles.isEmpty else { return }
        let keys = try keyFiles.map { file -> SSHPublicKey in
            let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            do { return try SSHPublicKey(line: text) } catch let error as SSHPublicKey.ParseError { throw CommandFailure("\(file): invalid SSH public key: \(error.reason)") }
        }
        try store.update { state in
            state.email = configuration.email
            for key in keys where state.key(fingerprint: key.fingerprint) == nil {
                var name = key.comment
                if name.isEmpty || state.keys.contains(where: { $0.name == name }) {
                    name = "key-\(state.nextKeyNumber)"
                    state.nextKeyNumber += 1
                }
                state.keys.append(AccountKey(publicKey: key.authorizedKeyText, fingerprint: key.fingerprint, name: name, addedAt: Date()))
            }
        }
    }

    private func isRunning(pidFile: String, port: Int) -> Bool {
        guard let pid = ProcessTree.readPID(pidFile), ProcessTree.isAlive(pid) else { return false }
        return port > 0 && LoopbackSocket.isListening(port)
    }

    private func startRegistry(_ configuration: inout SimConfiguration) throws {
        if isRunning(pidFile: registryPID, port: configuration.registryPort) { return }
        if let pid = ProcessTree.readPID(registryPID) { ProcessTree.terminate(pid) }
        let directory = paths.registryDirectory
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: paths.registryPassword) {
            let password = RandomToken.alphanumeric(count: 32)
            try AtomicFile.write(Data(password.utf8), to: paths.registryPassword, mode: 0o600)
            let htpasswd = ProcessInvocation(
                "htpasswd", ["-iBc", directory + "/htpasswd", configuration.registryUser],
                standardInput: Data(password.utf8), timeout: .seconds(30))
            try runner.check(htpasswd)
        }
        var lastError = ""
        for attempt in 0..<5 {
            let port = attempt == 0 && configuration.registryPort > 0 ? configuration.registryPort : LoopbackSocket.freePort()
            let config = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: \(directory)/data
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:\(port)
                  secret: \(RandomToken.alphanumeric(count: 24))
                auth:
                  htpasswd:
                    realm: exe-sim
                    path: \(directory)/htpasswd

                """
            try AtomicFile.write(Data(config.utf8), to: directory + "/config.yml", mode: 0o600)
            let log = directory + "/registry.log"
            let child = try ChildProcess.spawn(
                "docker-registry", ["serve", directory + "/config.yml"], stdin: .null, stdout: .appendToFile(log),
                stderr: .appendToFile(log), newSession: true)
            if LoopbackSocket.waitUntilListening(port, timeout: .seconds(10)), child.isRunning {
                try AtomicFile.write(Data("\(child.pid)\n".utf8), to: registryPID)
                configuration.registryPort = port
                return
            }
            child.terminate(grace: .seconds(1))
            lastError = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: "; ")
        }
        throw CommandFailure("the registry did not start: \(lastError)")
    }

    private func startControl(_ configuration: inout SimConfiguration, requestedPort: Int?) throws {
        if isRunning(pidFile: controlPID, port: configuration.controlPort) { return }
        if let pid = ProcessTree.readPID(controlPID) { ProcessTree.terminate(pid) }
        let directory = paths.controlDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sshd = SSHDaemon(runner: runner)
        let ed25519 = directory + "/ssh_host_ed25519_key"
        let ecdsa = directory + "/ssh_host_ecdsa_key"
        try sshd.ensureHostKey(type: "ed25519", path: ed25519)
        try sshd.ensureHostKey(type: "ecdsa", path: ecdsa)
        // `exec`: the forced command must be sshd's child, so that when it
        // ends without an exit status (ControlEntry.endWithoutExitStatus)
        // no shell turns its death into a status.
        let forced = "exec " + ShellQuote.command([executable, "control", "--state", paths.root])
        let port = requestedPort ?? (configuration.controlPort > 0 ? configuration.controlPort : LoopbackSocket.freePort())
        let shellHome = directory + "/shell-home"
        try FileManager.default.createDirectory(atPath: shellHome, withIntermediateDirectories: true)
        let lines = SSHDaemon.commonLines(port: port, hostKeys: [ed25519, ecdsa], pidFile: controlPID, environment: [("HOME", shellHome)]) + [
            // Every key passes sshd; the forced command checks it against the
            // account (SSH_USER_AUTH), so unregistered keys get the real
            // server's registration message instead of "Permission denied".
            "AuthorizedKeysFile none",
            "AuthorizedKeysCommand /bin/echo %t %k",
            "AuthorizedKeysCommandUser \(configuration.user)",
            "ExposeAuthInfo yes",
            "ForceCommand \(forced)",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            "AllowTcpForwarding no",
            "AllowAgentForwarding no",
            "PermitTunnel no",
        ]
        let (_, used) = try sshd.start(
            configPath: directory + "/sshd_config", lines: lines, port: port, logPath: directory + "/sshd.log",
            pidPath: controlPID, portChooser: requestedPort == nil ? { LoopbackSocket.freePort() } : nil)
        configuration.controlPort = used
        try SimKnownHosts(paths: paths).replace(
            port: used, with: SimKnownHosts.lines(port: used, publicKeyPaths: [ed25519 + ".pub", ecdsa + ".pub"]))
    }

    private func startDaemon(_ configuration: inout SimConfiguration) throws {
        if isRunning(pidFile: paths.daemonPID, port: configuration.apiPort) { return }
        if let pid = ProcessTree.readPID(paths.daemonPID) { ProcessTree.terminate(pid) }
        var lastError = ""
        for attempt in 0..<5 {
            let port = attempt == 0 && configuration.apiPort > 0 ? configuration.apiPort : LoopbackSocket.freePort()
            configuration.apiPort = port
            try save(configuration)
            let child = try ChildProcess.spawn(
                executable, ["serve", "--state", paths.root], stdin: .null, stdout: .appendToFile(paths.daemonLog),
                stderr: .appendToFile(paths.daemonLog), newSession: true)
            if LoopbackSocket.waitUntilListening(port, timeout: .seconds(10)), child.isRunning {
                try AtomicFile.write(Data("\(child.pid)\n".utf8), to: paths.daemonPID)
                return
            }
            child.terminate(grace: .seconds(1))
            lastError = ((try? String(contentsOfFile: paths.daemonLog, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: "; ")
        }
        throw CommandFailure("the exe-sim daemon did not start: \(lastError)")
    }

    private func startVMs(_ lifecycle: MachineVMLifecycle, store: StateStore) throws {
        for vm in try store.snapshot().vms {
            let vmPaths = paths.vm(vm.id)
            if let pid = ProcessTree.readPID(vmPaths.sshdPID), ProcessTree.isAlive(pid), LoopbackSocket.isListening(vm.sshPort),
                lifecycle.networkRelayIsCurrent(vm)
            {
                continue
            }
            let port = try lifecycle.startSSHD(vm, port: vm.sshPort)
            if port != vm.sshPort {
                try store.update { state in
                    if let index = state.vms.firstIndex(where: { $0.id == vm.id }) { state.vms[index].sshPort = port }
                }
            }
            // Containers `down` stopped come back as they were (a VM on
            // exe.dev keeps running while the simulator is down).
            let stoppedAtDown = (try? Data(contentsOf: URL(fileURLWithPath: vmPaths.runningAtDown)))
                .flatMap { try? JSONDecoder().decode([String].self, from: $0) } ?? []
            unlink(vmPaths.runningAtDown)
            let existing = lifecycle.configuration.containerRuntimeAvailable
                ? lifecycle.runtime.names(label: "exe-sim.vm", value: lifecycle.marker(vm)) : []
            let toStart = stoppedAtDown.filter(existing.contains)
            if !toStart.isEmpty {
                do {
                    try lifecycle.runtime(for: vm).start(toStart)
                } catch {
                    var containers = VMContainers.load(vmPaths.containers)
                    containers.problem = "the containers did not start again after exe-sim up: \(error)"
                    try? containers.save(vmPaths.containers)
                }
            }
            if let image = vm.image, lifecycle.configuration.containerRuntimeAvailable, existing.isEmpty {
                let auth = FileManager.default.fileExists(atPath: vmPaths.registryAuth) ? vmPaths.registryAuth : nil
                do {
                    try lifecycle.startImage(vm, image: image, exposedPorts: vm.exposedPorts, authFile: auth)
                } catch {
                    var containers = VMContainers.load(vmPaths.containers)
                    containers.problem = "the image did not start again after exe-sim up: \(error)"
                    try? containers.save(vmPaths.containers)
                }
            }
        }
        lifecycle.notifyDaemon()
    }

    /// Stops everything `up` started, by recorded pids. VMs' containers are
    /// stopped and kept (the running ones are noted, and `up` starts them
    /// again); with `purge` they are removed, with every other container of
    /// the simulator and the images pulled from its registry. Returns a
    /// report.
    package func down(purge: Bool = false) throws -> String {
        guard FileManager.default.fileExists(atPath: paths.root) else { return "nothing to stop: \(paths.root) does not exist\n" }
        let lock = try FileLock.acquire(path: paths.lifecycleLock, timeout: .seconds(120))
        defer { lock.unlock() }
        var report = ""
        func stop(_ label: String, _ pidFile: String) {
            if let pid = ProcessTree.readPID(pidFile), ProcessTree.isAlive(pid) {
                ProcessTree.terminate(pid)
                report += "stopped \(label) (pid \(pid))\n"
            }
            unlink(pidFile)
        }
        stop("TLS terminator", TLSTerminator(paths: paths, runner: runner).pidFile)
        stop("daemon", paths.daemonPID)
        stop("control sshd", controlPID)
        if let configuration = try? SimConfiguration.load(paths) {
            let lifecycle = MachineVMLifecycle(configuration: configuration, runner: runner)
            let store = StateStore(paths: paths, defaultEmail: configuration.email)
            for vm in (try? store.snapshot().vms) ?? [] {
                let pid = ProcessTree.readPID(paths.vm(vm.id).sshdPID)
                if !purge, configuration.containerRuntimeAvailable {
                    let running = lifecycle.runtime.containers(label: "exe-sim.vm", value: lifecycle.marker(vm))
                        .filter(\.isRunning).map(\.name).sorted()
                    if !running.isEmpty, let data = try? JSONEncoder().encode(running) {
                        try? AtomicFile.write(data, to: paths.vm(vm.id).runningAtDown)
                    }
                }
                // With purge, the containers on the host's network go in one
                // `rm` below; those in a VM's own network are removed from
                // inside it, before it goes (their port rules live there).
                let ownNetwork = lifecycle.network(vm) != nil
                lifecycle.stopEverything(vm, containers: !purge ? .stop : ownNetwork ? .remove : .leave)
                lifecycle.network(vm)?.remove(runner: runner)
                unlink(paths.vm(vm.id).sshdPID)
                report += "stopped VM \(vm.name)\(pid.map { " (sshd pid \($0))" } ?? "")\n"
            }
            // Namespaces of VMs whose records are gone (a crash between the two).
            for network in VMNetwork.all(instanceID: configuration.instanceID) { network.remove(runner: runner) }
            // Even when containers were off, images may have been pushed and
            // built locally under the registry's name: clean up if podman runs.
            if purge, configuration.containerRuntimeAvailable || ContainerRuntime(runner: runner, instanceID: "probe").probe() == nil {
                let runtime = lifecycle.runtime
                let leftovers = runtime.names(label: "exe-sim.instance", value: configuration.instanceID)
                runtime.remove(leftovers)
                // Filtered by podman: a plain `images` works out every image's size,
                // seconds on a store of a few hundred images.
                let listing = ["images", "--filter", "reference=\(configuration.registryAddress)/*", "--format", "{{.Repository}}:{{.Tag}}"]
                if let output = try? runtime.podman(listing, timeout: .seconds(60)) {
                    let ours = output.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(configuration.registryAddress + "/") }
                    if !ours.isEmpty { _ = try? runtime.podman(["rmi", "-f"] + ours, timeout: .seconds(120)) }
                }
            }
        }
        stop("registry", registryPID)
        return report
    }

    /// One line per component: running or not, with pids.
    package func status() -> (text: String, allRunning: Bool) {
        guard let configuration = try? SimConfiguration.load(paths) else {
            return ("exe-sim: no simulator in \(paths.root)\n", false)
        }
        var text = ""
        var allRunning = true
        func line(_ label: String, _ pidFile: String, _ port: Int) {
            let pid = ProcessTree.readPID(pidFile)
            let alive = pid.map(ProcessTree.isAlive) ?? false
            let listening = alive && LoopbackSocket.isListening(port)
            if !listening { allRunning = false }
            text += "\(label): \(listening ? "running" : "stopped") pid=\(pid.map(String.init) ?? "-") 127.0.0.1:\(port)\n"
        }
        line("control", controlPID, configuration.controlPort)
        line("registry", registryPID, configuration.registryPort)
        line("daemon", paths.daemonPID, configuration.apiPort)
        if let tlsPort = configuration.tlsPort { line("tls", TLSTerminator(paths: paths, runner: runner).pidFile, tlsPort) }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        for vm in (try? store.snapshot().vms) ?? [] {
            line("vm \(vm.name)", paths.vm(vm.id).sshdPID, vm.sshPort)
        }
        text += "vm networks: \(configuration.isolatesVMNetworks ? "isolated (a network namespace per VM)" : "shared with the host (\(configuration.vmNetworkProblem ?? "state from an older exe-sim"))")\n"
        text += "containers: \(configuration.containerRuntimeAvailable ? "podman" : "unavailable (\(configuration.containerRuntimeProblem ?? ""))")\n"
        return (text, allRunning)
    }
}
