public import ExeSSH
import ExeSystem

/// How to reach VMs: turns a VM the control plane described (or a
/// destination recorded earlier, such as a lease claim's) into a connected
/// `RemoteHost`.
///
/// ``SSHVMConnector`` connects over SSH, with an `SSHClientConfiguration`
/// per host (ssh_config, identities, known hosts, host-key policy).
/// `ExeTesting.InMemoryVMConnector` hands out in-memory hosts, so deploy and
/// lease logic runs in unit tests without a network.
public protocol VMConnector: Sendable {
    /// The user SSH logs in as when the control plane names none.
    var defaultUser: String { get }

    /// Connects to `destination`. The caller closes the host.
    func connect(to destination: SSHDestination) async throws -> any RemoteHost
}

extension VMConnector {
    /// Where `vm` is reached (see ``VMEndpoint``).
    public func destination(of vm: VM) -> SSHDestination {
        vm.sshDestination(defaultUser: defaultUser)
    }

    /// Connects to `vm` at ``destination(of:)``. The caller closes the host.
    public func connect(to vm: VM) async throws -> any RemoteHost {
        try await connect(to: destination(of: vm))
    }

    /// Runs `body` with a host connected to `vm`, and closes it afterwards,
    /// whether `body` returns or throws.
    public func withHost<T: Sendable>(_ vm: VM, _ body: (any RemoteHost) async throws -> T) async throws -> T {
        try await withHost(at: destination(of: vm), body)
    }

    /// Waits until `vm` itself answers SSH, not exe.dev's lobby (which
    /// answers a new VM's address until its route is live, and accepts
    /// `true`): runs ``VMReadinessProbe/command`` as often as `polling`
    /// says until its output comes from the VM. Call it after creating a
    /// VM, before the first command on it.
    ///
    /// - Throws: ``ControlError/Kind-swift.struct/timeout`` when the VM has
    ///   not answered within `timeout`, naming what answered last;
    ///   `CancellationError` when the task is cancelled.
    public func waitUntilReady(_ vm: VM, timeout: Duration = .seconds(120), polling: ReadinessPolling = ReadinessPolling()) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        var last = "nothing answered"
        var pause: Duration?
        while true {
            try Task.checkCancellation()
            do {
                let answer = try await withHost(vm) { host in
                    try await host.run(VMReadinessProbe.command, timeout: min(.seconds(15), max(.seconds(1), deadline - clock.now)))
                }
                if VMReadinessProbe.cameFromVM(answer) { return }
                last = "exe.dev's lobby answered, not the VM"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                last = "\(error)"
            }
            if clock.now >= deadline {
                throw ControlError(.timeout, "\(vm.name) did not answer as a VM within \(DurationText.format(timeout)): \(last)")
            }
            let next = polling.pause(after: pause, elapsed: clock.now - start)
            pause = next
            try await Task.sleep(for: min(next, max(.zero, deadline - clock.now)))
        }
    }

    /// Runs `body` with a host connected to `destination`, and closes it
    /// afterwards, whether `body` returns or throws.
    public func withHost<T: Sendable>(at destination: SSHDestination, _ body: (any RemoteHost) async throws -> T) async throws -> T {
        let host = try await connect(to: destination)
        do {
            let result = try await body(host)
            await host.close()
            return result
        } catch {
            await host.close()
            throw error
        }
    }
}

/// Connects to VMs over SSH (`SSHConnection`).
public struct SSHVMConnector: VMConnector {
    /// The user SSH logs in as when the control plane names none.
    public let defaultUser: String
    private let configurationForDestination: @Sendable (SSHDestination) -> SSHClientConfiguration

    /// A connector that uses `configuration(destination)` for each VM
    /// (for example what `~/.ssh/config` says about its host).
    public init(defaultUser: String, configuration: @escaping @Sendable (SSHDestination) -> SSHClientConfiguration) {
        self.defaultUser = defaultUser
        self.configurationForDestination = configuration
    }

    /// A connector that uses the same `configuration` for every VM.
    public init(defaultUser: String, configuration: SSHClientConfiguration) {
        self.init(defaultUser: defaultUser) { _ in configuration }
    }

    /// The SSH configuration used for `destination`.
    public func configuration(for destination: SSHDestination) -> SSHClientConfiguration {
        configurationForDestination(destination)
    }

    /// Opens an SSH connection to `destination`.
    public func connect(to destination: SSHDestination) async throws -> any RemoteHost {
        try await SSHConnection.connect(to: destination, configuration: configuration(for: destination))
    }

    /// Opens an SSH connection to `destination`, as the concrete
    /// `SSHConnection` (for interactive shells, which a `RemoteHost`
    /// does not offer).
    public func sshConnection(to destination: SSHDestination) async throws -> SSHConnection {
        try await SSHConnection.connect(to: destination, configuration: configuration(for: destination))
    }
}
