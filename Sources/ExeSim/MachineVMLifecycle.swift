import Foundation
package import ExeSystem

/// The real side effects of VMs: a directory per VM, an sshd per VM whose
/// forced command enters the VM's mount namespace, containers in podman,
/// and the daemon told about changes.
package struct MachineVMLifecycle: VMLifecycle {
    let configuration: SimConfiguration
    let paths: SimPaths
    let runner: SyncProcessRunner
    let runtime: ContainerRuntime

    /// A lifecycle for the simulator configured by `configuration`.
    package init(configuration: SimConfiguration, runner: SyncProcessRunner = SyncProcessRunner()) {
        self.configuration = configuration
        paths = SimPaths(root: configuration.stateDirectory)
        self.runner = runner
        runtime = ContainerRuntime(runner: runner, instanceID: configuration.instanceID)
    }

    var sshd: SSHDaemon { SSHDaemon(runner: runner) }

    /// The label value that marks a VM's containers and processes.
    func marker(_ vm: VMRecord) -> String { "\(configuration.instanceID).\(vm.id)" }

    /// The VM's own network namespace; `nil` when VMs share the host's.
    func network(_ vm: VMRecord) -> VMNetwork? { configuration.network(forVM: vm.id) }

    /// podman for `vm`'s containers: in the VM's network, if it has one.
    func runtime(for vm: VMRecord) -> ContainerRuntime {
        var vmRuntime = runtime
        vmRuntime.networkNamespacePath = network(vm)?.path
        return vmRuntime
    }

    package func resolveImage(_ reference: String, registryAuth: Secret?) throws -> ResolvedImage {
        guard let image = ImageName(reference) else { throw CommandFailure("invalid image name \(GoFlagParser.goQuote(reference))") }
        var client = RegistryClient(port: configuration.registryPort)
        if let pull = VMRegistryPull(reference: reference, daemonPort: configuration.apiPort) {
            client = pull.client  // another VM's registry, through the VM proxy
        } else if image.registry != configuration.registryAddress {
            if image.registry.hasPrefix("localhost") || image.registry.hasPrefix("127.0.0.1") {
                throw CommandFailure("invalid image \(GoFlagParser.goQuote(reference)): images from localhost or 127.0.0.1 are not supported (exe-sim serves only \(configuration.registryAddress))")
            }
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(reference)): registry \(image.registry) is unreachable from exe-sim (only \(configuration.registryAddress) is served)")
        }
        var user: String?
        var password: Secret?
        if let auth = registryAuth?.reveal(), let colon = auth.firstIndex(of: ":") {
            user = String(auth[..<colon])
            password = Secret(String(auth[auth.index(after: colon)...]))
        }
        let (ports, loginUser) = try client.inspect(
            image: reference, repository: image.repository, reference: image.manifestReference, user: user, password: password)
        return ResolvedImage(reference: reference, exposedPorts: ports, loginUser: loginUser)
    }

    private func createDirectories(_ vmPaths: VMPaths) throws {
        let manager = FileManager.default
        for directory in [vmPaths.data, vmPaths.home, vmPaths.sshDirectory, vmPaths.logs] {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try manager.createDirectory(atPath: vmPaths.tmp, withIntermediateDirectories: true)
        chmod(vmPaths.tmp, 0o1777)
    }

    /// Writes the sshd configuration and starts sshd. Returns the port used.
    ///
    /// Every VM presents the control plane's host keys, as every exe.dev VM
    /// presents exe.dev's own key under `<vm>.exe.xyz` (users write
    /// `Host *.exe.xyz` / `HostKeyAlias exe.dev`), so known_hosts gets no
    /// line per VM: clients check a VM's key under the control host's name.
    func startSSHD(_ vm: VMRecord, port: Int) throws -> Int {
        let vmPaths = paths.vm(vm.id)
        let ed25519 = paths.controlDirectory + "/ssh_host_ed25519_key"
        let ecdsa = paths.controlDirectory + "/ssh_host_ecdsa_key"
        try FileManager.default.createDirectory(atPath: paths.controlDirectory, withIntermediateDirectories: true)
        try sshd.ensureHostKey(type: "ed25519", path: ed25519)
        try sshd.ensureHostKey(type: "ecdsa", path: ecdsa)
        let forced = ShellQuote.command([configuration.executable, "vm-exec", "--state", configuration.stateDirectory, "--vm", vm.id])
        let shellHome = vmPaths.sshDirectory + "/shell-home"
        try FileManager.default.createDirectory(atPath: shellHome, withIntermediateDirectories: true)
        let network = network(vm)
        try network?.create(runner: runner)
        let lines = SSHDaemon.commonLines(
            port: network == nil ? port : VMNetwork.sshPort, hostKeys: [ed25519, ecdsa], pidFile: vmPaths.sshdPID,
            environment: [("EXE_SIM_VM", marker(vm)), ("HOME", shellHome)]) + [
            "AuthorizedKeysFile \(paths.accountAuthorizedKeys)",
            "ForceCommand \(forced)",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            "AllowTcpForwarding yes",
        ]
        guard let network else {
            let (_, used) = try sshd.start(
                configPath: vmPaths.sshDirectory + "/sshd_config", lines: lines, port: port,
                logPath: vmPaths.sshDirectory + "/sshd.log", pidPath: vmPaths.sshdPID,
                portChooser: { LoopbackSocket.freePort() })
            return used
        }
        // `up` after only the relay died: the VM's sshd still holds port 22.
        let running = ProcessTree.readPID(vmPaths.sshdPID).map(ProcessTree.isAlive) ?? false
        if !running || !network.isListening(VMNetwork.sshPort) {
            _ = try sshd.start(
                configPath: vmPaths.sshDirectory + "/sshd_config", lines: lines, port: VMNetwork.sshPort,
                logPath: vmPaths.sshDirectory + "/sshd.log", pidPath: vmPaths.sshdPID, network: network)
        }
        // A relay that still serves this port with today's service ports is
        // kept (its SSH connections with it); a stale one is replaced.
        if networkRelayIsCurrent(vm), LoopbackSocket.isListening(port) { return port }
        if let pid = ProcessTree.readPID(vmPaths.networkRelayPID) { ProcessTree.terminate(pid, grace: .seconds(1)) }
        return try startNetworkRelay(vm, port: port)
    }

    /// The simulator's service ports relayed into `vm`, as one line.
    private var relayedPortsLine: String {
        VMNetworkRelay.servicePorts(configuration).map(String.init).joined(separator: " ") + "\n"
    }

    /// Whether `vm` needs nothing new from its relay: always on a shared
    /// network; with its own network, when the relay runs and relays the
    /// simulator's current service ports (`up --tls` adds one, a daemon on
    /// a new port changes one).
    func networkRelayIsCurrent(_ vm: VMRecord) -> Bool {
        guard configuration.isolatesVMNetworks else { return true }
        let vmPaths = paths.vm(vm.id)
        guard let pid = ProcessTree.readPID(vmPaths.networkRelayPID), ProcessTree.isAlive(pid) else { return false }
        return (try? String(contentsOfFile: vmPaths.networkRelayPorts, encoding: .utf8)) == relayedPortsLine
    }

    /// Starts the VM's ``VMNetworkRelay`` on host port `port` (another free
    /// one when it is taken). Returns the port used.
    func startNetworkRelay(_ vm: VMRecord, port: Int) throws -> Int {
        let vmPaths = paths.vm(vm.id)
        try AtomicFile.write(Data(relayedPortsLine.utf8), to: vmPaths.networkRelayPorts, mode: 0o644)
        let log = vmPaths.sshDirectory + "/network.log"
        var environment = ProcessInfo.processInfo.environment
        environment["EXE_SIM_VM"] = marker(vm)
        var candidate = port
        for _ in 0..<5 {
            unlink(vmPaths.networkRelayPID)
            let child = try ChildProcess.spawn(
                configuration.executable,
                ["vm-network", "--state", configuration.stateDirectory, "--vm", vm.id, "--ssh-port", String(candidate),
                 "--pid-file", vmPaths.networkRelayPID],
                environment: environment, stdin: .null, stdout: .appendToFile(log), stderr: .appendToFile(log), newSession: true)
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline, child.isRunning, ProcessTree.readPID(vmPaths.networkRelayPID) != child.pid {
                usleep(10_000)
            }
            if child.isRunning, ProcessTree.readPID(vmPaths.networkRelayPID) == child.pid { return candidate }
            child.terminate(grace: .seconds(1))
            candidate = LoopbackSocket.freePort()
        }
        let reason = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(2).joined(separator: "; ") ?? ""
        throw CommandFailure("the VM's SSH port could not be opened on 127.0.0.1: \(reason)")
    }

    /// Runs the VM's own image. On a VM with its own network the image's
    /// processes share it (`--network host` in the VM's namespace), as an
    /// exe.dev VM made from an image runs them as the VM's own: every port
    /// they listen on is the VM's, exposed or not. On a shared network each
    /// exposed port is published to a free loopback port instead. Records
    /// the containers (or why none runs).
    ///
    /// An image from another VM's registry (``VMRegistryPull``) is fetched
    /// through the VM proxy with `registryAuth`; without it (`cp`, `up`) the
    /// copy already in podman is used.
    func startImage(_ vm: VMRecord, image: String, exposedPorts: [Int], authFile: String?, registryAuth: Secret? = nil) throws {
        let vmPaths = paths.vm(vm.id)
        var containers = VMContainers.load(vmPaths.containers)
        containers.containers.removeAll { $0.composeProject == nil }
        containers.problem = nil
        guard configuration.containerRuntimeAvailable else {
            containers.problem = "no container runtime works on this machine (\(configuration.containerRuntimeProblem ?? "podman unavailable")), so the image \(image) is not running"
            try containers.save(vmPaths.containers)
            return
        }
        if vm.command == "none" {
            containers.problem = "the VM was created with --command=none, so its image does not run"
            try containers.save(vmPaths.containers)
            return
        }
        do {
            if let pull = VMRegistryPull(reference: image, daemonPort: configuration.apiPort) {
                let present = (try? runtime.podman(["image", "exists", image], timeout: .seconds(60)))?.status == 0
                if registryAuth != nil || !present {
                    try pull.pull(into: runtime, registryAuth: registryAuth)
                }
            } else {
                try runtime.pull(image, authFile: authFile)
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("failed to pull image \(GoFlagParser.goQuote(image)): \(error)")
        }
        let vmRuntime = runtime(for: vm)
        let ports = exposedPorts.map {
            PublishedPort(vmPort: $0, hostPort: configuration.isolatesVMNetworks ? $0 : LoopbackSocket.freePort(), containerPort: $0)
        }
        var environmentFiles: [String] = []
        if !vm.environment.isEmpty {
            let file = vmPaths.root + "/env.list"
            try AtomicFile.write(Data((vm.environment.joined(separator: "\n") + "\n").utf8), to: file, mode: 0o600)
            environmentFiles.append(file)
        }
        var entrypoint: String?
        if vm.command != "auto", vm.command != "none" {
            let words = (try? ShellWords.split(vm.command)) ?? [vm.command]
            entrypoint = JSONValue.strings(words).encoded()
        }
        let name = runtime.containerName(vmID: vm.id, name: "main")
        let spec = ContainerRuntime.RunSpec(
            podmanName: name, vmID: marker(vm), displayName: vm.name, image: image, ports: ports,
            environmentFiles: environmentFiles, volumes: [], command: nil, entrypoint: entrypoint, composeProject: nil,
            sharesVMNetwork: configuration.isolatesVMNetworks)
        do {
            try vmRuntime.run(spec)
        } catch {
            throw CommandFailure("failed to start container for \(GoFlagParser.goQuote(image)): \(error)")
        }
        containers.containers.insert(
            ContainerRecord(podmanName: name, displayName: vm.name, image: image, composeProject: nil, service: nil, ports: ports, restart: "always"),
            at: 0)
        try containers.save(vmPaths.containers)
    }

    /// The port actually used is written back to the state by the caller.
    package func provision(_ vm: VMRecord, image: ResolvedImage?, registryAuth: Secret?) throws {
        let vmPaths = paths.vm(vm.id)
        try createDirectories(vmPaths)
        let port = try startSSHD(vm, port: vm.sshPort)
        if port != vm.sshPort { try recordSSHPort(vm, port) }
        if let image {
            var authFile: String?
            if let auth = registryAuth {
                authFile = vmPaths.root + "/pull-auth.json"
                try RegistryAuthFile.write(registry: configuration.registryAddress, credentials: auth, to: authFile!)
            }
            defer { if let authFile { unlink(authFile) } }
            try startImage(vm, image: image.reference, exposedPorts: image.exposedPorts, authFile: authFile, registryAuth: registryAuth)
        } else {
            try VMContainers().save(vmPaths.containers)
        }
        if let script = vm.setupScript { runSetupScript(vm, script: script) }
    }

    private func recordSSHPort(_ vm: VMRecord, _ port: Int) throws {
        try StateStore(paths: paths, defaultEmail: configuration.email).update { state in
            if let index = state.vms.firstIndex(where: { $0.id == vm.id }) { state.vms[index].sshPort = port }
        }
    }

    /// Runs the setup script once inside the VM, logging to `logs/setup.log`.
    func runSetupScript(_ vm: VMRecord, script: String) {
        let vmPaths = paths.vm(vm.id)
        let scriptPath = vmPaths.data + "/.exe-setup.sh"
        try? AtomicFile.write(Data(script.utf8), to: scriptPath, mode: 0o700)
        let invocation = ProcessInvocation(
            configuration.executable, ["vm-exec", "--state", configuration.stateDirectory, "--vm", vm.id],
            environment: ["SSH_ORIGINAL_COMMAND": "/bin/sh /data/.exe-setup.sh", "EXE_SIM_VM": marker(vm)],
            timeout: .seconds(120))
        if let output = try? runner.run(invocation) {
            try? AtomicFile.write(output.standardOutput + output.standardError, to: vmPaths.logs + "/setup.log")
        }
    }

    /// Stops the VM's sshd (and every session under it), the processes that
    /// carry its marker, and then its containers as `containers` says.
    func stopEverything(_ vm: VMRecord, containers: ContainerDisposal) {
        let vmPaths = paths.vm(vm.id)
        // A paused VM's stopped processes must run to handle SIGTERM. Its
        // containers' need not: `podman stop -t 0` and `rm -f -t 0` kill.
        freezer(vm, containers: false).thaw()
        if let pid = ProcessTree.readPID(vmPaths.sshdPID) { ProcessTree.terminate(pid, grace: .seconds(1)) }
        ProcessTree.kill(ProcessTree.processes(withEnvironmentEntry: "EXE_SIM_VM=\(marker(vm))"))
        guard configuration.containerRuntimeAvailable, containers != .leave else { return }
        let vmRuntime = runtime(for: vm)
        let names = vmRuntime.names(label: "exe-sim.vm", value: marker(vm))
        if containers == .remove { vmRuntime.remove(names) } else { vmRuntime.stop(names) }
    }

    package func destroy(_ vm: VMRecord) {
        stopEverything(vm, containers: .remove)
        network(vm)?.remove(runner: runner)
        try? FileManager.default.removeItem(atPath: paths.vm(vm.id).root)
    }

    package func restart(_ vm: VMRecord) throws {
        stopEverything(vm, containers: .stop)
        let port = try startSSHD(vm, port: vm.sshPort)
        if port != vm.sshPort { try recordSSHPort(vm, port) }
        guard configuration.containerRuntimeAvailable else { return }
        let containers = VMContainers.load(paths.vm(vm.id).containers)
        let restartable = containers.containers.filter { $0.composeProject == nil || ["always", "unless-stopped"].contains($0.restart ?? "no") }
        do {
            try runtime(for: vm).start(restartable.map(\.podmanName))
        } catch {
            throw CommandFailure("VM failed to start, current state: \(error)")
        }
    }

    package func copy(from source: VMRecord, to copy: VMRecord) throws {
        let sourcePaths = paths.vm(source.id)
        let copyPaths = paths.vm(copy.id)
        try FileManager.default.createDirectory(atPath: copyPaths.root, withIntermediateDirectories: true)
        try runner.check(ProcessInvocation("cp", ["-a", sourcePaths.filesystem, copyPaths.root + "/"], timeout: .seconds(300)))
        try createDirectories(copyPaths)
        if FileManager.default.fileExists(atPath: sourcePaths.registryAuth) {
            try? FileManager.default.copyItem(atPath: sourcePaths.registryAuth, toPath: copyPaths.registryAuth)
        }
        let port = try startSSHD(copy, port: copy.sshPort)
        if port != copy.sshPort { try recordSSHPort(copy, port) }
        if let image = copy.image {
            try startImage(copy, image: image, exposedPorts: copy.exposedPorts, authFile: nil)
        } else {
            try VMContainers().save(copyPaths.containers)
        }
    }

    package func writeAuthorizedKeys(_ keys: [AccountKey]) throws {
        let lines = keys.filter { $0.tokenHash == nil }.map(\.publicKey)
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: paths.accountAuthorizedKeys, mode: 0o644)
    }

    package func notifyDaemon() {
        _ = try? LoopbackHTTPClient.send("POST", port: configuration.apiPort, path: "/_sim/sync", timeout: .seconds(5))
    }

    package func allocatePorts() -> (ssh: Int, http: Int) {
        var ssh = LoopbackSocket.freePort()
        var http = LoopbackSocket.freePort()
        while http == ssh { http = LoopbackSocket.freePort() }
        if ssh == 0 { ssh = LoopbackSocket.freePort() }
        return (ssh, http)
    }
}
