import CExeSim
import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim serve`: one process, one port, that hosts `POST /exec` and
/// every VM's URL (requests whose `Host` is `<vm>.exe-sim.localhost[:PORT]`,
/// ``VMHost``), accepting on one poll loop and serving each connection on
/// its own thread.
package final class SimDaemon: @unchecked Sendable {
    private let configuration: SimConfiguration
    private let paths: SimPaths
    private let store: StateStore
    private let api: ExecAPI
    private let proxy: VMProxy
    private let lock = NSLock()
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
    package init(stateDirectory: String, clock: any SimClock = SystemSimClock()) throws {
        paths = SimPaths(root: stateDirectory)
        configuration = try SimConfiguration.load(paths)
        store = StateStore(paths: paths, defaultEmail: configuration.email)
        api = ExecAPI(
            configuration: configuration, store: store, tree: .standard, limiter: TokenBucket(), runner: SyncProcessRunner(),
            clock: clock, commandTimeout: .seconds(30),
            authenticator: TokenAuthenticator(
                verifier: TokenSignatureVerifier(runner: SyncProcessRunner(), scratchDirectory: paths.root + "/tmp/tokens")))
        proxy = VMProxy(configuration: configuration, paths: paths, store: store, clock: clock)
    }

    /// Listens and serves until the process is signalled.
    package func run() throws -> Never {
        signal(SIGPIPE, SIG_IGN)
        apiListener = try LoopbackSocket.listen(port: configuration.apiPort).descriptor
        guard exe_sim_pipe_nonblocking(&wake) == 0 else { throw LoopbackSocket.Failure(description: "pipe failed") }
        reconcile()
        var lastReconcile = ContinuousClock.now
        while true {
            lock.lock()
            var fds = [pollfd(fd: apiListener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
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
                    spawn { self.serveConnection(client) }
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

    /// Wakes the poll loop (kept for `POST /_sim/sync`: VM URLs are routed
    /// by name on every request, so there is nothing to open or close).
    private func reconcile() {
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
    }

    /// Routes one connection by its request's `Host` header: a VM's URL (or
    /// a domain a VM added) to ``VMProxy``, another domain name to a `421`,
    /// anything else (an address, `localhost`, `exe-sim.localhost`) to the API.
    private func serveConnection(_ client: Int32) {
        LoopbackSocket.setTimeout(client, .seconds(60))
        if let head = RequestHeadPeek.head(client), let header = Self.hostHeader(head.text) {
            if let host = VMHost(header: header) {
                proxy.serve(client: client, host: host, headLength: head.length)
                return
            }
            // A custom domain (`domain add`) reaches the VM that added it;
            // any other domain name is refused (cli-domain.md).
            if let state = try? store.snapshot(), let vm = DomainRouting.vm(forHost: header, in: state) {
                proxy.serve(client: client, host: VMHost(vmName: vm.name, header: header), headLength: head.length)
                return
            }
            // The simulator's own name serves the API, as exe.dev's does.
            if DomainRouting.hostName(header) == VMHost.domain {
                serveAPI(client)
                return
            }
            if DomainRouting.isDomainName(header) {
                defer { LoopbackSocket.closeGracefully(client) }
                _ = try? HTTPReader(fd: client, deadline: .now + .seconds(5)).readHead()
                let host = DomainRouting.hostName(header)
                let text = "exe-sim: the domain \(host) is not added to any VM; run: ssh exe.dev domain add VM \(host)\n"
                LoopbackSocket.writeAll(
                    client, HTTPResponse(status: 421, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data(text.utf8)).serialized())
                return
            }
        }
        serveAPI(client)
    }

    private static func hostHeader(_ head: String) -> String? {
        (try? HTTPReader.parseHead(head))?.headers.first { $0.0.caseInsensitiveCompare("Host") == .orderedSame }?.1
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
        defer { LoopbackSocket.closeGracefully(client) }
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
            switch api.answer(request) {
            case .response(let answer): response = answer
            case .vmCommand(let command):
                command.serve(client: client)
                return
            case .unanswered:
                proxy.holdUnanswered(client)
                return
            }
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
