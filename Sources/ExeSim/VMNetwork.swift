import CExeSim
import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// How the simulator gives VMs their network, decided once at `up`.
package enum VMNetworkMode: String, Codable, Sendable {
    /// Each VM has its own network namespace (``VMNetwork``): its
    /// `localhost` is its own, as on exe.dev, where each VM is a machine.
    case isolated
    /// VMs share the host's network (not root, no `ip netns`, or
    /// `EXE_SIM_VM_NETWORK=shared`): one VM's app is reachable on another's
    /// `127.0.0.1`, and only published container ports are routed.
    case shared
}

/// A VM's own network namespace (`ip netns add`), with only a loopback
/// interface. The VM's sshd, its commands and its containers live in it,
/// so what a VM serves on `localhost` is reachable from that VM, from its
/// URL and through its SSH forwards only. The simulator's own services
/// (control plane, API, registry, TLS terminator: "the internet") are
/// relayed into it at their usual loopback ports by ``VMNetworkRelay``,
/// which also carries the VM's SSH port on the host.
package struct VMNetwork: Sendable, Equatable {
    /// The namespace's name under `/run/netns`.
    package let name: String

    /// The namespace of VM `vmID` of simulator `instanceID`.
    package init(instanceID: String, vmID: String) {
        name = "exesim-\(instanceID)-\(vmID)"
    }

    /// Every namespace of simulator `instanceID` that exists now.
    package static func all(instanceID: String) -> [VMNetwork] {
        let prefix = "exesim-\(instanceID)-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return names.filter { $0.hasPrefix(prefix) }.map { VMNetwork(instanceID: instanceID, vmID: String($0.dropFirst(prefix.count))) }
    }

    /// The namespace file that `setns` and `nsenter --net` open.
    package var path: String { "/run/netns/" + name }

    /// The port the VM's sshd listens on inside the namespace.
    package static let sshPort = 22

    /// Whether the namespace exists.
    package var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Creates the namespace (kept if it exists) and brings its loopback
    /// interface up.
    package func create(runner: SyncProcessRunner) throws {
        if !exists {
            let added = try runner.run(ProcessInvocation("ip", ["netns", "add", name], timeout: .seconds(30)))
            if added.status != 0, !exists {
                throw CommandFailure("cannot create the VM's network namespace \(name): \(added.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        let up = try runner.run(ProcessInvocation("ip", ["-n", name, "link", "set", "lo", "up"], timeout: .seconds(30)))
        guard up.status == 0 else {
            throw CommandFailure("cannot bring up the loopback interface of \(name): \(up.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Deletes the namespace (nothing if it is gone).
    package func remove(runner: SyncProcessRunner) {
        guard exists else { return }
        _ = try? runner.run(ProcessInvocation("ip", ["netns", "delete", name], timeout: .seconds(30)))
    }

    /// The words that run a program inside the namespace.
    package var enterCommand: [String] { ["nsenter", "--net=\(path)", "--"] }

    /// A TCP socket that belongs to the namespace.
    package func socket() throws -> Int32 {
        let fd = exe_sim_socket_in_network_namespace(path)
        guard fd >= 0 else { throw LoopbackSocket.Failure(description: "cannot open a socket in \(name): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Connects to 127.0.0.1:`port` as the VM sees it.
    package func connect(port: Int, timeout: Duration) throws -> Int32 {
        try LoopbackSocket.connect(port: port, timeout: timeout, on: try socket())
    }

    /// Listens on 127.0.0.1:`port` inside the namespace.
    package func listen(port: Int) throws -> Int32 {
        try LoopbackSocket.listen(port: port, on: try socket()).descriptor
    }

    /// Whether something in the VM accepts connections on `port`.
    package func isListening(_ port: Int) -> Bool {
        guard let fd = try? connect(port: port, timeout: .milliseconds(500)) else { return false }
        close(fd)
        return true
    }

    /// Why VMs cannot have their own namespaces on this machine, or `nil`
    /// when they can: creates and deletes a probe namespace.
    package static func problem(runner: SyncProcessRunner) -> String? {
        guard geteuid() == 0 else { return "network namespaces need root" }
        let probe = VMNetwork(instanceID: "probe", vmID: RandomToken.alphanumeric(count: 8).lowercased())
        do {
            try probe.create(runner: runner)
        } catch {
            probe.remove(runner: runner)
            return "\(error)"
        }
        defer { probe.remove(runner: runner) }
        do {
            close(try probe.socket())
        } catch {
            return "\(error)"
        }
        return nil
    }
}
