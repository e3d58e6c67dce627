import Foundation
public import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback relay in front of a registry served by an exe.dev VM.
///
/// A VM's URL is private: exe.dev's proxy admits a request carrying a
/// VM-scoped token (as HTTP Basic's password, `exeweb/proxy.go`
/// `GetProxyAuth`) and answers one without `Authorization` with a
/// redirect to the web login (`RedirectToAuth`). Registry clients (buildah,
/// podman, docker) first ping `/v2/` anonymously and send credentials
/// only after a `401` challenge, so they never get past that redirect. The
/// relay listens on `127.0.0.1:PORT`; the builder pushes to
/// `127.0.0.1:PORT/repository:tag` and every request is passed to the
/// registry VM with its `Host` and `Authorization: Basic` carrying the
/// token. The token stays in this process: never in argv, an auth file or
/// the builder's environment.
///
/// The upstream is plain HTTP to a loopback address: `EXE_VM_PROXY` of
/// exe-sim. Against exe.dev the upstream would be TLS to `VM.exe.xyz:443`,
/// which this relay does not speak yet (``ExeRegistryRelayError/tlsUpstream(_:)``).
public final class ExeRegistryRelay: @unchecked Sendable {
    /// The loopback port the builder pushes to.
    public let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let registryHost: String
    private let authorization: Secret
    private let lock = NSLock()
    private var stopped = false

    /// Starts a relay to `registryHost` (a VM's URL host) through the
    /// loopback proxy at `upstream` (`127.0.0.1:PORT`), authenticating with
    /// `token`.
    public init(registryHost: String, upstream: String, token: Secret) throws(ExeRegistryRelayError) {
        guard let colon = upstream.lastIndex(of: ":"), let upstreamPort = Int(upstream[upstream.index(after: colon)...]),
            ["127.0.0.1", "localhost"].contains(String(upstream[..<colon]))
        else { throw .tlsUpstream(registryHost) }
        self.upstreamPort = upstreamPort
        self.registryHost = registryHost
        authorization = Secret("Basic " + Data("exe:\(token.reveal())".utf8).base64EncodedString())
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .listen(String(cString: strerror(errno))) }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            close(fd)
            throw .listen(String(cString: strerror(errno)))
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "exe-registry-relay"
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting; connections in flight finish.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in
                serve(client)
                close(client)
            }
            thread.name = "exe-registry-relay-connection"
            thread.start()
        }
    }

    private static func setTimeout(_ fd: Int32, seconds: Int) {
        var value = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads one request head, rewrites it, and pipes the rest both ways.
    private func serve(_ client: Int32) {
        Self.setTimeout(client, seconds: 300)
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let terminator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        while headEnd == nil {
            guard received.count < 65536 else { return }
            let count = recv(client, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            received.append(contentsOf: buffer[0..<count])
            headEnd = received.range(of: terminator)
        }
        guard let headEnd else { return }
        let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
        let rest = received[headEnd.upperBound...]
        var lines = head.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return }
        let start = lines.removeFirst()
        let dropped: Set<String> = ["host", "authorization", "connection", "proxy-authorization", "proxy-connection", "keep-alive"]
        var rewritten = start + "\r\nHost: \(registryHost)\r\nAuthorization: \(authorization.reveal())\r\nConnection: close\r\n"
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if dropped.contains(line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()) { continue }
            rewritten += line + "\r\n"
        }
        rewritten += "\r\n"
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard upstream >= 0 else { return }
        defer { close(upstream) }
        Self.setTimeout(upstream, seconds: 300)
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Self.writeAll(client, Data("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            return
        }
        guard Self.writeAll(upstream, Data(rewritten.utf8) + rest) else { return }
        Self.pipe(client, upstream)
    }

    @discardableResult
    private static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    /// Copies bytes both ways until both sides close (or 5 minutes pass idle).
    private static func pipe(_ a: Int32, _ b: Int32) {
        var open: [Int32: Bool] = [a: true, b: true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open[a] == true || open[b] == true {
            var fds = [a, b].filter { open[$0] == true }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 300_000)
            if ready == 0 { return }
            if ready < 0 { if errno == EINTR { continue } else { return } }
            for descriptor in fds where descriptor.revents != 0 {
                let source = descriptor.fd
                let target = source == a ? b : a
                let count = recv(source, &buffer, buffer.count, 0)
                if count <= 0 {
                    open[source] = false
                    shutdown(target, Int32(SHUT_WR))
                    if source == b { return }  // the registry answered and closed: done
                    continue
                }
                if !writeAll(target, Data(buffer[0..<count])) { return }
            }
        }
    }
}

/// Why the registry relay could not start.
public enum ExeRegistryRelayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registry is reached over TLS (exe.dev itself), which the relay does not speak yet.
    case tlsUpstream(String)
    /// The loopback listener could not be opened.
    case listen(String)

    public var description: String {
        switch self {
        case .tlsUpstream(let host):
            "the registry relay reaches \(host) only through a loopback proxy (EXE_VM_PROXY of exe-sim); TLS to exe.dev is not implemented yet"
        case .listen(let reason): "the registry relay could not listen on 127.0.0.1: \(reason)"
        }
    }
}
