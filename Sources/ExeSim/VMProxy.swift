import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A VM's URL, as exeprox serves it (`exeweb/proxy.go`
/// `HandleProxyRequest`, `docs/content/proxy.md`, `docs/content/sharing.md`):
/// the request is routed by its `Host` header (``VMHost``) to the VM of that
/// name, checked against the VM's sharing, rewritten (exe.dev's own headers
/// set, the caller's removed) and forwarded to the loopback port podman
/// published for the routed VM port. When nothing serves that port it
/// answers 503 and says why.
///
/// One request per connection: the forwarded request carries
/// `Connection: close` (an `Upgrade` request keeps its connection), so every
/// request is checked.
struct VMProxy: Sendable {
    let configuration: SimConfiguration
    let paths: SimPaths
    let store: StateStore
    let clock: any SimClock

    /// Where exe.dev's login lives (`webBaseURLNoRequest`: `https://exe.dev`).
    /// The simulator has no web login; the address only shapes redirects.
    static let webBase = "http://" + VMHost.domain

    /// Serves one accepted connection whose request head (not yet read)
    /// names `host`, then closes it.
    func serve(client: Int32, host: VMHost, headLength: Int) {
        defer { LoopbackSocket.closeGracefully(client) }
        LoopbackSocket.setTimeout(client, .seconds(30))
        guard let headText = consume(client, count: headLength) else { return }
        let start: [String]
        let headers: [(String, String)]
        do { (start, headers) = try HTTPReader.parseHead(headText) } catch {
            if let response = error.response { LoopbackSocket.writeAll(client, response.serialized()) }
            return
        }
        guard start.count == 3 else {
            respond(client, status: 400, "bad request\n")
            return
        }
        let request = ProxiedRequest(method: start[0], target: start[1], version: start[2], headers: headers)
        switch decide(request, host: host) {
        case .respond(let response):
            LoopbackSocket.writeAll(client, response.serialized())
        case .forward(let vm, let port, let outgoing):
            forward(client, vm: vm, port: port, request: outgoing)
        case .hold:
            holdUnanswered(client)
        }
    }

    /// What to do with a request: answer it here, or forward it to `port`
    /// of `vm` as `request`.
    enum Decision {
        case respond(HTTPResponse)
        case forward(VMRecord, port: Int, request: ProxiedRequest)
        /// The VM is paused (`pause`): its processes are frozen, so nothing
        /// answers; the connection is held until the client gives up.
        case hold
    }

    /// The checks of `HandleProxyRequest`, in its order.
    func decide(_ request: ProxiedRequest, host: VMHost) -> Decision {
        let path = request.path
        if path == "/__exe.dev/login" {
            // HandleProxyLogin: to the main domain's auth page.
            let redirect = Self.validRedirect(request.queryValue("redirect")) ?? "/"
            return .respond(.redirect(307, "\(Self.webBase)/auth?redirect=\(GoURL.queryEscape(redirect))&return_host=\(GoURL.queryEscape(host.header))"))
        }
        if path.hasPrefix("/__exe.dev/") || path == "/__exe.dev" {
            return .respond(.text(404, "404 page not found\n"))
        }
        let credentials = ProxyCredentials(headers: request.headers)
        if credentials.ambiguous {
            return .respond(.text(400, "Authorization and X-Exedev-Authorization must not be identical (trace \(Self.traceID()))\n"))
        }
        guard let state = try? store.snapshot() else { return .respond(.text(500, "Internal server error\n")) }
        let tokens = TokenAuthenticator(
            verifier: TokenSignatureVerifier(runner: SyncProcessRunner(), scratchDirectory: paths.root + "/tmp/tokens"))
        let authenticated = ProxyAuthentication(state: state, now: clock.now(), tokens: tokens).authenticate(credentials, vmName: host.vmName)
        guard let vm = state.vm(named: host.vmName) else {
            // RenderAccessRequired(nil) without a login cookie: to the auth page.
            return .respond(.redirect(307, accessRequiredLocation(request, host: host)))
        }
        if vm.status == "paused" { return .hold }
        // The route: the VM's port and sharing for the default ports (and the
        // VM's own proxy port); any other port 3000-9999 is private to the owner.
        let requested = host.port ?? 80
        let port: Int
        let share: String
        if [80, 443, configuration.apiPort, vm.proxyPort].contains(requested) {
            port = vm.proxyPort
            share = vm.share
        } else if (3000...9999).contains(requested) {
            port = requested
            share = "private"
        } else {
            return .respond(.text(404, "exe-sim: exe.dev proxies ports 3000-9999 (and the VM's share port) only, not \(requested)\n"))
        }
        if share == "private", authenticated == nil {
            if credentials.hasAuthorizationHeader {
                return .respond(
                    .text(401, "invalid or missing authentication (trace \(Self.traceID()))\n", headers: [("Www-Authenticate", "Bearer, Basic")]))
            }
            // RedirectToAuth: the proxy's own login URL on the same host.
            let query = "exedev_host=\(GoURL.queryEscape(host.header))&redirect=\(GoURL.queryEscape(request.relativeRedirect))"
            return .respond(.redirect(307, "\(request.scheme)://\(host.header)/__exe.dev/login?\(query)"))
        }
        // Share tokens never reach the VM: a valid one is removed (GET and
        // HEAD are redirected to the clean URL).
        var outgoing = request
        if let token = request.queryValue("share"), vm.links.contains(where: { $0.token == token }) {
            let cleaned = request.removingQueryValue("share")
            if request.method == "GET" || request.method == "HEAD" {
                return .respond(.redirect(302, cleaned.target, headers: [("Referrer-Policy", "no-referrer")]))
            }
            outgoing = cleaned
        }
        outgoing.rewriteHeaders(authenticated: authenticated, email: state.email, consumedHeader: authenticated?.consumedHeader)
        return .forward(vm, port: port, request: outgoing)
    }

    private func accessRequiredLocation(_ request: ProxiedRequest, host: VMHost) -> String {
        "\(Self.webBase)/auth?redirect=\(GoURL.queryEscape(request.relativeRedirect))&return_host=\(GoURL.queryEscape(host.header))"
    }

    /// `IsValidRedirectURL`: a relative absolute path only.
    static func validRedirect(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("://") else { return nil }
        return value
    }

    /// A trace id like the one exe.dev puts in its error texts.
    static func traceID() -> String { RandomToken.alphanumeric(count: 16).lowercased() }

    private func forward(_ client: Int32, vm: VMRecord, port: Int, request: ProxiedRequest) {
        let upstream: Int32
        switch connect(vm: vm, port: port) {
        case .success(let connected): upstream = connected
        case .failure(let refusal):
            LoopbackSocket.writeAll(client, HTTPResponse.text(503, refusal.reason + "\n").serialized())
            return
        }
        defer { close(upstream) }
        LoopbackSocket.sendImmediately(client)
        LoopbackSocket.sendImmediately(upstream)
        guard LoopbackSocket.writeAll(upstream, Data(request.serializedHead().utf8)) else { return }
        Self.pipe(client, upstream)
    }

    /// Why nothing answers a VM's port: the text of a `503`.
    struct Unserved: Error {
        let reason: String
    }

    /// A connection to `port` as `vm` serves it: in the VM's own network,
    /// whatever listens there (a process as much as a container); on a
    /// shared network, the host port a container publishes it on.
    func connect(vm: VMRecord, port: Int) -> Result<Int32, Unserved> {
        let containers = VMContainers.load(paths.vm(vm.id).containers)
        let unserved = "exe-sim: nothing serves port \(port) of VM \(vm.name)"
        if let network = configuration.network(forVM: vm.id) {
            if let upstream = try? network.connect(port: port, timeout: .seconds(5)) { return .success(upstream) }
            if let problem = containers.problem { return .failure(Unserved(reason: "\(unserved): \(problem)")) }
            if containers.hostPort(forVMPort: port) != nil {
                return .failure(Unserved(reason: "\(unserved): the container that publishes it does not answer"))
            }
            return .failure(Unserved(
                reason: "\(unserved): nothing listens on it in the VM (start a server on it, run a container that publishes it, or change the port with share port)"))
        }
        guard let hostPort = containers.hostPort(forVMPort: port) else {
            if let problem = containers.problem { return .failure(Unserved(reason: "\(unserved): \(problem)")) }
            if vm.image == nil {
                return .failure(Unserved(
                    reason: "\(unserved): the VM has no image and no container publishes this port (run one with docker compose, ports \"\(port):...\", or change the port with share port)"))
            }
            return .failure(Unserved(reason: "\(unserved): the VM's image does not expose it; change the port with share port"))
        }
        guard let upstream = try? LoopbackSocket.connect(port: hostPort, timeout: .seconds(5)) else {
            return .failure(Unserved(
                reason: "exe-sim: port \(port) of VM \(vm.name) is not answering (nothing listens on 127.0.0.1:\(hostPort), where its container publishes it)"))
        }
        return .success(upstream)
    }

    /// Reads exactly `count` bytes (the request head already peeked).
    private func consume(_ fd: Int32, count: Int) -> String? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            got += n
        }
        // The head without its closing blank line.
        return String(decoding: buffer.dropLast(4), as: UTF8.self)
    }

    private func respond(_ client: Int32, status: Int, _ text: String) {
        LoopbackSocket.writeAll(client, HTTPResponse.text(status, text).serialized())
    }

    /// Copies bytes both ways until both sides have closed (or `idleLimit`
    /// passes without traffic; `nil`: no limit).
    static func pipe(_ a: Int32, _ b: Int32, idleLimit: Duration? = .seconds(600)) {
        let timeout = idleLimit.map { Int32(clamping: $0.inMicroseconds / 1000) } ?? -1
        var open: [Int32: Bool] = [a: true, b: true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open[a] == true || open[b] == true {
            var fds = [a, b].filter { open[$0] == true }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready == 0 { return }
            if ready < 0 { if errno == EINTR { continue } else { return } }
            for descriptor in fds where descriptor.revents != 0 {
                let source = descriptor.fd
                let target = source == a ? b : a
                let count = recv(source, &buffer, buffer.count, 0)
                if count <= 0 {
                    open[source] = false
                    shutdown(target, Int32(SHUT_WR))
                    continue
                }
                if !LoopbackSocket.writeAll(target, Data(buffer[0..<count])) { return }
            }
        }
    }
}

extension HTTPResponse {
    /// A `text/plain` answer, as Go's `http.Error` writes it.
    static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")] + headers, body: Data(text.utf8))
    }

    /// A redirect to `location`, as Go's `http.Redirect` answers a GET.
    static func redirect(_ status: Int, _ location: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Location", location)] + headers, body: Data())
    }
}
