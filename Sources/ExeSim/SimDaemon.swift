import CExeSim
import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim serve`: one process that hosts `POST /exec` and every VM's
/// `https_url` listener. It keeps its listeners in step with the state
/// (on start, on `POST /_sim/sync` from control commands, and every
/// couple of seconds), accepting on one poll loop and serving each
/// connection on its own thread.
public final class SimDaemon: @unchecked Sendable {
    private let configuration: SimConfiguration
    private let paths: SimPaths
    private let store: StateStore
    private let api: ExecAPI
    private let proxy: VMProxy
    private let lock = NSLock()
    private var proxyListeners: [Int: Int32] = [:]
    private var apiListener: Int32 = -1
    private var wake: [Int32] = [-1, -1]
    /// Connections being served (each on its own thread), capped.
    private let connections = ConnectionLimit(capacity: SimDaemon.connectionCapacity)

    /// The most connections (API and VM proxies together) served at once;
    /// more are answered `503` and closed at once, so a flood of idle
    /// connections costs neither threads nor memory.
    static let connectionCapacity = 256
    /// How long a client has to send a whole `/exec` request.
    static let requestReadTimeout: Duration = .seconds(30)

    /// A daemon for the state directory at `stateDirectory`.
    public init(stateDirectory: String, clock: any SimClock = SystemSimClock()) throws {
        paths = SimPaths(root: stateDirectory)
        configuration = try SimConfiguration.load(paths)
        store = StateStore(paths: paths, defaultEmail: configuration.email)
        api = ExecAPI(
            configuration: configuration, store: store, tree: .standard, limiter: TokenBucket(), runner: SyncProcessRunner(),
            clock: clock, commandTimeout: .seconds(30))
        proxy = VMProxy(paths: paths, store: store)
    }

    /// Listens and serves until the process is signalled.
    public func run() throws -> Never {
        signal(SIGPIPE, SIG_IGN)
        apiListener = try LoopbackSocket.listen(port: configuration.apiPort).descriptor
        guard exe_sim_pipe_nonblocking(&wake) == 0 else { throw LoopbackSocket.Failure(description: "pipe failed") }
        reconcile()
        var lastReconcile = ContinuousClock.now
        while true {
            lock.lock()
            var fds = [pollfd(fd: apiListener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
            let byDescriptor = Dictionary(uniqueKeysWithValues: proxyListeners.map { ($0.value, $0.key) })
            fds += proxyListeners.values.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            lock.unlock()
            _ = poll(&fds, nfds_t(fds.count), 1000)
            for descriptor in fds where descriptor.revents != 0 {
                if descriptor.fd == wake[0] {
                    var byte: UInt8 = 0
                    while read(wake[0], &byte, 1) > 0 {}
                    continue
                }
                let client = exe_sim_accept_cloexec(descriptor.fd)
                guard client >= 0 else { continue }
                guard connections.open() else {
                    refuseOverCapacity(client)
                    continue
                }
                if descriptor.fd == apiListener {
                    spawn { self.serveAPI(client) }
                } else if let port = byDescriptor[descriptor.fd] {
                    spawn { self.proxy.serve(client: client, httpPort: port) }
                } else {
                    connections.close()
                    close(client)
                }
            }
            if lastReconcile.duration(to: .now) > .seconds(2) {
                reconcile()
                lastReconcile = .now
            }
        }
    }

    /// Runs `body` on a thread of its own; the connection slot taken by
    /// the accept loop is given back when it returns.
    private func spawn(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [connections] in
            body()
            connections.close()
        }
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Opens listeners for VMs that have none and closes those of VMs
    /// that are gone.
    private func reconcile() {
        guard let state = try? store.snapshot() else { return }
        let wanted = Set(state.vms.map(\.httpPort))
        lock.lock()
        for (port, fd) in proxyListeners where !wanted.contains(port) {
            close(fd)
            proxyListeners[port] = nil
        }
        for port in wanted where proxyListeners[port] == nil {
            if let (fd, _) = try? LoopbackSocket.listen(port: port) {
                proxyListeners[port] = fd
            } else {
                FileHandle.standardError.write(Data("exe-sim serve: cannot listen on 127.0.0.1:\(port)\n".utf8))
            }
        }
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
    }

    /// Answers a connection over ``connectionCapacity`` with `503` without
    /// reading it (a send that would block is dropped) and closes it.
    private func refuseOverCapacity(_ client: Int32) {
        let response = HTTPResponse.error(503, "exe-sim: too many connections (\(Self.connectionCapacity)); try again")
        let bytes = [UInt8](response.serialized())
        _ = send(client, bytes, bytes.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
        close(client)
    }

    private func serveAPI(_ client: Int32) {
        defer { close(client) }
        LoopbackSocket.setTimeout(client, .seconds(60))
        let request: HTTPRequest
        do {
            request = try HTTPReader(fd: client, deadline: .now + Self.requestReadTimeout).readRequest(bodyLimit: ExecAPI.bodyLimit)
        } catch {
            if let response = error.response { LoopbackSocket.writeAll(client, response.serialized()) }
            return
        }
        let path = request.target.split(separator: "?").first.map(String.init) ?? request.target
        let response: HTTPResponse
        switch path {
        case "/exec":
            response = api.handle(request)
        case "/_sim/sync":
            reconcile()
            response = .json(200, "{\"status\":\"synced\"}\n")
        case "/_sim/health":
            response = .json(200, "{\"status\":\"ok\"}\n")
        default:
            response = .error(404, "not found")
        }
        LoopbackSocket.writeAll(client, response.serialized())
    }
}
