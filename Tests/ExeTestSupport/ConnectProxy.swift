import Foundation
import Synchronization

/// An HTTP proxy on 127.0.0.1 that only tunnels (`CONNECT`), as corporate
/// proxies in front of HTTPS do. It records every request head it gets,
/// answers `407` when ``requiredAuthorization`` is set and the request does
/// not carry it, and tunnels `HOST:PORT` to the loopback port ``routes``
/// maps it to (`502` otherwise), so a test can reach a server under a name
/// nothing resolves (`exe-sim.localhost:443`) without DNS.
public final class ConnectProxy: @unchecked Sendable {
    /// The port clients connect to.
    public let port: Int
    /// `HOST:PORT` (as sent in `CONNECT`) → the loopback port it reaches.
    public let routes: [String: Int]
    /// The exact `Proxy-Authorization` value required, if any.
    public let requiredAuthorization: String?
    private let listener: Int32
    private let state = Mutex<(heads: [String], sockets: Set<Int32>)>(([], []))

    /// Starts listening on a free loopback port.
    public init(routes: [String: Int], requiredAuthorization: String? = nil) {
        self.routes = routes
        self.requiredAuthorization = requiredAuthorization
        let (fd, port) = LoopbackPort.listeningSocket(backlog: 64)
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The request heads received so far, in order.
    public var requestHeads: [String] { state.withLock { $0.heads } }

    /// Stops accepting and cuts every tunnel.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in state.withLock({ $0.sockets }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        state.withLock { _ = $0.sockets.insert(client) }
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while head.count < 16384, !(head.count >= 4 && Array(head.suffix(4)) == [13, 10, 13, 10]) {
            guard read(client, &byte, 1) == 1 else {
                close(client)
                return
            }
            head.append(byte)
        }
        let text = String(decoding: head, as: UTF8.self)
        state.withLock { $0.heads.append(text) }
        let lines = text.components(separatedBy: "\r\n")
        let words = lines[0].split(separator: " ")
        let authorization = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
            .map { String($0.dropFirst("proxy-authorization:".count)).trimmingCharacters(in: .whitespaces) }
        func answer(_ status: String) {
            let bytes = Array("HTTP/1.1 \(status)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = send(client, bytes, bytes.count, Int32(MSG_NOSIGNAL))
            close(client)
        }
        guard words.count == 3, words[0] == "CONNECT" else { return answer("405 Method Not Allowed") }
        if let requiredAuthorization, authorization != requiredAuthorization {
            return answer("407 Proxy Authentication Required")
        }
        guard let upstreamPort = routes[String(words[1])], let upstream = LoopbackPort.connectedSocket(port: upstreamPort) else {
            return answer("502 Bad Gateway")
        }
        state.withLock { _ = $0.sockets.insert(upstream) }
        let established = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)
        _ = send(client, established, established.count, Int32(MSG_NOSIGNAL))
        let backDone = DispatchSemaphore(value: 0)
        let back = Thread {
            Self.copy(from: upstream, to: client)
            backDone.signal()
        }
        back.start()
        Self.copy(from: client, to: upstream)
        backDone.wait()
        state.withLock { $0.sockets.subtract([client, upstream]) }
        close(client)
        close(upstream)
    }

    /// Copies until `source` ends, then ends `target`'s writing side.
    private static func copy(from source: Int32, to target: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { send(target, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                if written <= 0 {
                    shutdown(source, Int32(SHUT_RDWR))
                    return
                }
                offset += written
            }
        }
        shutdown(target, Int32(SHUT_WR))
    }
}
