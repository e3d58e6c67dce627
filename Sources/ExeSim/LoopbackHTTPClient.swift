package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A one-request-per-connection HTTP/1.1 client for services on
/// 127.0.0.1 (the registry, the daemon).
package enum LoopbackHTTPClient {
    /// Sends one request and reads the response, all within `timeout`.
    /// `host` is the `Host` header (the daemon routes VM URLs by it);
    /// `127.0.0.1:PORT` when `nil`.
    package static func send(
        _ method: String, port: Int, path: String, headers: [(String, String)] = [], body: Data = Data(),
        timeout: Duration = .seconds(10), responseLimit: Int = 64 << 20, host: String? = nil
    ) throws -> HTTPResponse {
        let fd = try LoopbackSocket.connect(port: port, timeout: timeout)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        guard LoopbackSocket.writeAll(fd, Data(head.utf8) + body) else {
            throw LoopbackSocket.Failure(description: "127.0.0.1:\(port) closed the connection")
        }
        do {
            return try HTTPReader(fd: fd, deadline: .now + timeout).readResponse(limit: responseLimit)
        } catch .closed {
            throw LoopbackSocket.Failure(description: "no HTTP response from 127.0.0.1:\(port)")
        } catch {
            throw LoopbackSocket.Failure(description: "a malformed HTTP response from 127.0.0.1:\(port): \(error)")
        }
    }
}
