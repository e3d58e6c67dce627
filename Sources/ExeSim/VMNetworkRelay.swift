import CExeSim
import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim vm-network`: one process per VM with its own network
/// (``VMNetwork``) that joins it to the host's loopback. It carries the
/// VM's SSH port on the host (127.0.0.1:`sshPort` → the VM's sshd on
/// 127.0.0.1:22 inside), and makes the simulator's own services reachable
/// from inside the VM at their usual addresses (control plane, API and VM
/// proxy, registry, TLS terminator), as exe.dev and the registries it
/// pulls from are reachable from a real VM. Nothing else on the host is.
///
/// It carries the VM's `EXE_SIM_VM` marker, so `rm`, `restart`, `down`
/// and `pause` stop or freeze it with the VM's other processes.
package struct VMNetworkRelay {
    /// The VM's namespace.
    package let network: VMNetwork
    /// The VM's SSH port on the host.
    package let sshPort: Int
    /// The host ports relayed into the VM at the same numbers.
    package let servicePorts: [Int]

    /// The relay for `vm` under `configuration`.
    package init(configuration: SimConfiguration, vmID: String, sshPort: Int) {
        network = VMNetwork(instanceID: configuration.instanceID, vmID: vmID)
        self.sshPort = sshPort
        servicePorts = Self.servicePorts(configuration)
    }

    /// The simulator's own ports a VM reaches on its loopback: control
    /// plane, API and VM proxy, registry, TLS terminator.
    package static func servicePorts(_ configuration: SimConfiguration) -> [Int] {
        [configuration.controlPort, configuration.apiPort, configuration.registryPort, configuration.tlsPort]
            .compactMap { $0 }.filter { $0 > 0 }
    }

    /// Where a listener's connections go.
    enum Destination {
        /// The VM's sshd, inside the namespace.
        case vmSSH
        /// The same port on the host.
        case host(Int)
    }

    /// Listens, writes its pid to `pidFile`, then serves until killed.
    /// Throws when the SSH port cannot be listened on (the caller then
    /// tries another port).
    package func run(pidFile: String) throws -> Never {
        signal(SIGPIPE, SIG_IGN)
        var listeners: [(descriptor: Int32, destination: Destination)] = []
        listeners.append((try LoopbackSocket.listen(port: sshPort).descriptor, .vmSSH))
        for port in servicePorts {
            do {
                listeners.append((try network.listen(port: port), .host(port)))
            } catch {
                FileHandle.standardError.write(Data("exe-sim vm-network: \(error)\n".utf8))
            }
        }
        try AtomicFile.write(Data("\(getpid())\n".utf8), to: pidFile, mode: 0o644)
        while true {
            var fds = listeners.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0, errno != EINTR { usleep(100_000) }
            for (index, descriptor) in fds.enumerated() where descriptor.revents != 0 {
                let client = exe_sim_accept_cloexec(descriptor.fd)
                guard client >= 0 else {
                    if errno == EMFILE || errno == ENFILE { usleep(50_000) }  // not a busy loop while out of descriptors
                    continue
                }
                let destination = listeners[index].destination
                let thread = Thread { [network] in
                    Self.relay(client, to: destination, network: network)
                }
                thread.stackSize = 256 << 10
                thread.start()
            }
        }
    }

    /// Connects to `destination` and copies bytes both ways until both
    /// sides close; an SSH connection may idle for as long as it likes.
    static func relay(_ client: Int32, to destination: Destination, network: VMNetwork) {
        defer { close(client) }
        let upstream: Int32
        do {
            switch destination {
            case .vmSSH: upstream = try network.connect(port: VMNetwork.sshPort, timeout: .seconds(10))
            case .host(let port): upstream = try LoopbackSocket.connect(port: port, timeout: .seconds(10))
            }
        } catch {
            return
        }
        defer { close(upstream) }
        LoopbackSocket.setTimeout(upstream, .zero)
        LoopbackSocket.sendImmediately(client)
        LoopbackSocket.sendImmediately(upstream)
        VMProxy.pipe(client, upstream, idleLimit: nil)
    }
}
