import Foundation
package import ExeSystem

/// One container the simulator started for a VM.
package struct ContainerRecord: Codable, Sendable, Equatable {
    /// podman's name (unique on the machine).
    package var podmanName: String
    /// The name shown inside the VM (`container_name` or service).
    package var displayName: String
    /// The image reference.
    package var image: String
    /// The compose project that started it (`nil` for the VM's own image).
    package var composeProject: String?
    /// The compose service.
    package var service: String?
    /// Published ports.
    package var ports: [PublishedPort]
    /// The compose `restart` policy.
    package var restart: String?
}

/// A port published from a container to a loopback host port.
package struct PublishedPort: Codable, Sendable, Equatable {
    /// The port as the VM sees it (`share port` routes to this).
    package var vmPort: Int
    /// The loopback host port podman publishes.
    package var hostPort: Int
    /// The container's port.
    package var containerPort: Int
}

/// Everything a VM runs in containers: the file the daemon reads to route
/// `https_url`.
package struct VMContainers: Codable, Sendable, Equatable {
    /// The containers.
    package var containers: [ContainerRecord] = []
    /// Why the VM's image does not run, if it does not.
    package var problem: String?

    /// Empty.
    package init() {}

    /// The host port that serves VM port `port`, if any.
    package func hostPort(forVMPort port: Int) -> Int? {
        for container in containers.reversed() {
            if let match = container.ports.first(where: { $0.vmPort == port }) { return match.hostPort }
        }
        return nil
    }

    /// Reads the file at `path` (empty when missing).
    package static func load(_ path: String) -> VMContainers {
        guard let data = FileManager.default.contents(atPath: path),
            let value = try? JSONDecoder().decode(VMContainers.self, from: data)
        else { return VMContainers() }
        return value
    }

    /// Writes the file at `path` atomically.
    package func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: path, mode: 0o600)
    }
}

/// podman, run the way it works on this kind of machine: runc,
/// cgroupfs, vfs storage, file events, ulimits set; images pulled over
/// plain HTTP from the simulator's registry.
package struct ContainerRuntime: Sendable {
    /// Runs podman.
    package let runner: SyncProcessRunner
    /// Labels every container with this instance id.
    package let instanceID: String
    /// Runs podman inside another process's mount namespace (a VM's docker
    /// shim runs podman in the daemon's namespace); `nil` runs it directly.
    package var mountNamespacePID: Int32?
    /// Runs podman inside a VM's network namespace (``VMNetwork/path``), so
    /// the containers it starts, stops or removes are attached to, and
    /// publish their ports on, that VM's network; `nil`: the caller's.
    package var networkNamespacePath: String?

    /// Creates a runtime.
    package init(runner: SyncProcessRunner, instanceID: String, mountNamespacePID: Int32? = nil, networkNamespacePath: String? = nil) {
        self.runner = runner
        self.instanceID = instanceID
        self.mountNamespacePID = mountNamespacePID
        self.networkNamespacePath = networkNamespacePath
    }

    static let globalArguments = [
        "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--storage-driver", "vfs", "--events-backend", "file",
    ]

    func invocation(_ arguments: [String], timeout: Duration = .seconds(300)) -> ProcessInvocation {
        var namespaces: [String] = []
        if let pid = mountNamespacePID { namespaces.append("--mount=/proc/\(pid)/ns/mnt") }
        if let path = networkNamespacePath { namespaces.append("--net=\(path)") }
        guard !namespaces.isEmpty else { return ProcessInvocation("podman", Self.globalArguments + arguments, timeout: timeout) }
        return ProcessInvocation("nsenter", namespaces + ["--", "podman"] + Self.globalArguments + arguments, timeout: timeout)
    }

    /// Runs podman with `arguments`.
    @discardableResult
    package func podman(_ arguments: [String], timeout: Duration = .seconds(300)) throws -> ProcessOutput {
        try runner.run(invocation(arguments, timeout: timeout))
    }

    /// Whether podman answers at all: `nil`, or what it said. A listing
    /// that matches nothing opens the store and checks the OCI runtime as
    /// `podman info` does (a missing runc fails both with exit 125), at a
    /// fifth of the cost: `info` also sizes the store, and every `up` asks.
    package func probe() -> String? {
        do {
            let output = try podman(["ps", "-a", "--quiet", "--filter", "label=exe-sim.probe=\(instanceID)"], timeout: .seconds(60))
            return output.status == 0 ? nil : output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            return "\(error)"
        }
    }

    /// The podman name of a VM's container.
    package func containerName(vmID: String, name: String) -> String { "exesim-\(instanceID)-\(vmID)-\(name)" }

    /// Pulls `image`, with credentials from `authFile`. Throws with
    /// podman's message, the way `docker pull` reports it.
    package func pull(_ image: String, authFile: String?) throws {
        var arguments = ["pull", "--tls-verify=false", "--quiet"]
        if let authFile { arguments += ["--authfile", authFile] }
        let output = try podman(arguments + [image])
        if output.status != 0 {
            throw ContainerRuntimeError(message: output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// What `podman run -d` needs.
    package struct RunSpec: Sendable {
        var podmanName: String
        var vmID: String
        var displayName: String
        var image: String
        var ports: [PublishedPort]
        var environmentFiles: [String]
        var volumes: [String]
        var command: [String]?
        var entrypoint: String?
        var composeProject: String?
        /// Runs the container in the network podman is started in (`--network
        /// host`, which under ``networkNamespacePath`` is the VM's) instead of
        /// a bridge with `ports` published.
        var sharesVMNetwork = false
    }

    /// Starts a container detached (`--replace` removes a stale one of the
    /// same name in the same call).
    package func run(_ spec: RunSpec) throws {
        var arguments = [
            "run", "-d", "--replace", "--name", spec.podmanName, "--label", "exe-sim.instance=\(instanceID)", "--label", "exe-sim.vm=\(spec.vmID)",
            "--label", "exe-sim.name=\(spec.displayName)", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            "--tls-verify=false", "--pull", "never",
        ]
        if let project = spec.composeProject { arguments += ["--label", "com.docker.compose.project=\(project)"] }
        if spec.sharesVMNetwork {
            arguments += ["--network", "host"]
        } else {
            for port in spec.ports { arguments += ["-p", "127.0.0.1:\(port.hostPort):\(port.containerPort)"] }
        }
        for file in spec.environmentFiles { arguments += ["--env-file", file] }
        for volume in spec.volumes { arguments += ["-v", volume] }
        if let entrypoint = spec.entrypoint { arguments += ["--entrypoint", entrypoint] }
        arguments.append(spec.image)
        if let command = spec.command { arguments += command }
        let output = try podman(arguments)
        if output.status != 0 {
            throw ContainerRuntimeError(message: output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Stops containers immediately (busybox ignores SIGTERM as PID 1).
    package func stop(_ names: [String]) {
        guard !names.isEmpty else { return }
        _ = try? podman(["stop", "-t", "0"] + names, timeout: .seconds(120))
    }

    /// Starts stopped containers.
    package func start(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        let output = try podman(["start"] + names, timeout: .seconds(120))
        if output.status != 0 { throw ContainerRuntimeError(message: output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Removes containers, running or not.
    package func remove(_ names: [String]) {
        guard !names.isEmpty else { return }
        _ = try? podman(["rm", "-f", "-t", "0"] + names, timeout: .seconds(120))
    }

    /// Every container labelled with `label=value`, running or not, in one
    /// `podman ps`.
    package func containers(label: String, value: String) -> [ListedContainer] {
        let format = "{{.Names}}\t{{.Pid}}\t{{.Status}}"
        guard let output = try? podman(["ps", "-a", "--filter", "label=\(label)=\(value)", "--format", format], timeout: .seconds(60)),
            output.status == 0
        else { return [] }
        return output.stdout.split(separator: "\n").compactMap { ListedContainer(psLine: String($0)) }
    }

    /// Names of every container labelled with `label=value`.
    package func names(label: String, value: String) -> [String] {
        containers(label: label, value: value).map(\.name)
    }

    /// `name → status text` for the given containers.
    package func statuses(label: String, value: String) -> [String: String] {
        Dictionary(containers(label: label, value: value).map { ($0.name, $0.status) }, uniquingKeysWith: { first, _ in first })
    }

    /// A container's logs (stdout and stderr merged as podman prints them).
    package func logs(_ name: String, tail: Int?) throws -> ProcessOutput {
        var arguments = ["logs"]
        if let tail { arguments += ["--tail", String(tail)] }
        return try podman(arguments + [name], timeout: .seconds(60))
    }
}

/// podman refused: its message.
package struct ContainerRuntimeError: Error, CustomStringConvertible, Sendable {
    /// podman's stderr.
    package let message: String
    package var description: String { message }
}
