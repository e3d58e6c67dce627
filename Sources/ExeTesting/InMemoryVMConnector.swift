public import ExeControl
public import ExeSSH
import Synchronization

/// A `VMConnector` that hands out ``InMemoryRemoteHost``s by host name,
/// and records each connection made.
public final class InMemoryVMConnector: VMConnector {
    /// The user SSH would log in as when the control plane names none.
    public let defaultUser: String
    private let hosts: Mutex<[String: InMemoryRemoteHost]>
    private let fallback: InMemoryRemoteHost?
    private let connections = Mutex<[SSHDestination]>([])

    /// A connector for `hosts` (host name → host). Other names reach
    /// `fallback`, or, without one, fail as an unreachable host would.
    public init(defaultUser: String = "user", hosts: [String: InMemoryRemoteHost] = [:], fallback: InMemoryRemoteHost? = nil) {
        self.defaultUser = defaultUser
        self.hosts = Mutex(hosts)
        self.fallback = fallback
    }

    /// Makes `host` answer for `name`.
    public func add(_ host: InMemoryRemoteHost, named name: String) {
        hosts.withLock { $0[name] = host }
    }

    /// The destinations connected to, in order.
    public var connectedDestinations: [SSHDestination] { connections.withLock { $0 } }

    /// A new connection (``InMemoryRemoteHost/reconnected()``) to the host
    /// named by `destination`, or `SSHError/Kind/connectionRefused`.
    public func connect(to destination: SSHDestination) async throws -> any RemoteHost {
        connections.withLock { $0.append(destination) }
        guard let host = hosts.withLock({ $0[destination.host] }) ?? fallback else {
            throw SSHError(.connectionRefused, "connection to \(destination.host) port \(destination.port) refused (no in-memory host)")
        }
        return host.reconnected()
    }
}
