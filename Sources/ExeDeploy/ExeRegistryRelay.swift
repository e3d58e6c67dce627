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
/// The upstream (``Upstream``) is TLS to `VM.exe.xyz:443` for exe.dev (the
/// certificate checked as the registry's host by `ExeSystem.TLSStream`), TLS
/// to a TLS-terminating proxy (`EXE_VM_PROXY_TLS` of `exe-sim up --tls`,
/// with its CA), or plain HTTP to a loopback proxy (`EXE_VM_PROXY` of exe-sim).
/// An upstream that cannot be reached, or whose certificate is refused,
/// answers the builder `502 Bad Gateway` with the reason in the body.
public final class ExeRegistryRelay: @unchecked Sendable {
    /// How the relay reaches the registry VM.
    public enum Upstream: Sendable, Equatable {
        /// Plain HTTP to a proxy on a loopback address (exe-sim's `EXE_VM_PROXY`).
        case loopbackProxy(NetworkAddress)
        /// TLS to `connectTo`, or (`nil`) to the registry's host on port 443
        /// (exe.dev), the certificate verified as the registry's host
        /// against `trust`.
        case tls(connectTo: NetworkAddress?, trust: TLSTrust)
    }

    /// The loopback port the builder pushes to.
    public let port: Int
    private let listener: Int32
    private let upstream: Upstream
    private let registryHost: String
    private let authorization: Secret
    private let lock = NSLock()
    private var stopped = false

    /// Starts a relay to `registryHost` (a VM's URL host) through the
    /// loopback proxy at `upstream` (`127.0.0.1:PORT`, plain HTTP),
    /// authenticating with `token`.
    ///
    /// - Throws: ``ExeRegistryRelayError/notLoopback(_:)`` when `upstream`
    ///   is not `127.0.0.1:PORT` or `localhost:PORT`.
    public convenience init(registryHost: String, upstream: String, token: Secret) throws(ExeRegistryRelayError) {
        guard let address = NetworkAddress(parsing: upstream), ["127.0.0.1", "localhost"].contains(address.host) else {
            throw .notLoopback(upstream)
        }
        try self.init(registryHost: registryHost, upstream: .loopbackProxy(address), token: token)
    }

    /// Starts a relay to `registryHost` (a VM's URL host) through
    /// `upstream`, authenticating with `token`.
    public init(registryHost: String, upstream: Upstream, token: Secret) throws(ExeRegistryRelayError) {
        self.upstream = upstream
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
            if let first = received.first, !Self.startsARequest(first) {
                Self.refuseNonHTTP(client)
                return
            }
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
        let deadline = ContinuousClock.now + .seconds(30)
        let connection: any ByteStream
        do throws(NetworkError) {
            connection = try connectUpstream(deadline: deadline)
        } catch {
            let reason = Data("the relay could not reach \(registryHost): \(error.message)\n".utf8)
            Self.writeAll(
                client,
                Data("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: \(reason.count)\r\nConnection: close\r\n\r\n".utf8)
                    + reason)
            return
        }
        defer { connection.close() }
        do throws(NetworkError) {
            try connection.write(Array(Data(rewritten.utf8) + rest), deadline: ContinuousClock.now + .seconds(300))
        } catch { return }
        Self.pipe(client, connection)
    }

    /// Whether `byte` can begin an HTTP/1 request line: every method is an
    /// upper-case token (`GET`, `HEAD`, `PUT`, `PATCH`, `POST`, `DELETE`).
    private static func startsARequest(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// Answers a connection that did not start with an HTTP request at once.
    ///
    /// With `--tls-verify=false`, buildah, podman and docker try HTTPS first
    /// and fall back to plain HTTP only when that attempt fails. Their
    /// ClientHello (first byte `0x16`) never ends a request head, so waiting
    /// for one held every push until Go's 10-second TLS handshake timeout.
    /// A plain-text `400` is not a TLS record: the client's handshake fails
    /// on it immediately and the client retries over HTTP.
    private static func refuseNonHTTP(_ client: Int32) {
        let reason = Data("the registry relay speaks plain HTTP on loopback\n".utf8)
        writeAll(
            client,
            Data("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: \(reason.count)\r\nConnection: close\r\n\r\n".utf8)
                + reason)
    }

    private func connectUpstream(deadline: ContinuousClock.Instant) throws(NetworkError) -> any ByteStream {
        switch upstream {
        case .loopbackProxy(let address):
            return try TCPStream.connect(to: address, deadline: deadline)
        case .tls(let connectTo, let trust):
            let name = NetworkAddress(parsing: registryHost)?.host ?? registryHost
            let tcp = try TCPStream.connect(to: connectTo ?? NetworkAddress(host: name, port: 443), deadline: deadline)
            return try TLSStream.handshake(over: tcp, serverName: name, trust: trust, deadline: deadline)
        }
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

    /// Copies bytes both ways until the registry's side closes (it answers
    /// with `Connection: close`), or 5 minutes pass idle.
    private static func pipe(_ client: Int32, _ upstream: any ByteStream) {
        var clientOpen = true
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var upstreamReady = upstream.hasBufferedInput
            if !upstreamReady {
                var fds = [pollfd(fd: upstream.descriptor, events: Int16(POLLIN), revents: 0)]
                if clientOpen { fds.append(pollfd(fd: client, events: Int16(POLLIN), revents: 0)) }
                let ready = poll(&fds, nfds_t(fds.count), 300_000)
                if ready == 0 { return }
                if ready < 0 { if errno == EINTR { continue } else { return } }
                upstreamReady = fds[0].revents != 0
                if clientOpen, fds[1].revents != 0 {
                    let count = recv(client, &buffer, buffer.count, 0)
                    if count <= 0 {
                        clientOpen = false
                    } else {
                        do throws(NetworkError) {
                            try upstream.write(Array(buffer[0..<count]), deadline: ContinuousClock.now + .seconds(300))
                        } catch { return }
                    }
                }
            }
            if upstreamReady {
                let bytes: [UInt8]
                do throws(NetworkError) {
                    bytes = try upstream.read(maximum: 65536, deadline: ContinuousClock.now + .seconds(300))
                } catch { return }
                if bytes.isEmpty { return }  // the registry answered and closed: done
                if !writeAll(client, Data(bytes)) { return }
            }
        }
    }
}

/// Why the registry relay could not start.
public enum ExeRegistryRelayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A plain-HTTP upstream that is not a loopback proxy (the token
    /// would cross a network unencrypted).
    case notLoopback(String)
    /// The loopback listener could not be opened.
    case listen(String)

    public var description: String {
        switch self {
        case .notLoopback(let upstream):
            "the registry relay sends plain HTTP only to a loopback proxy (127.0.0.1:PORT), not to \(upstream): use TLS"
        case .listen(let reason): "the registry relay could not listen on 127.0.0.1: \(reason)"
        }
    }
}
