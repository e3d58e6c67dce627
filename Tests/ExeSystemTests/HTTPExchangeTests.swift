import ExeSystem
import ExeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP/1.1 response framing of ``HTTPExchange`` against a loopback server
/// that writes scripted bytes (RFC 9112: Content-Length, chunked with
/// trailers, interim 1xx answers); `/exec` sends its exit status as the
/// trailer `X-Exe-Exit` (docs `https-api-run-on-vm.md`).
@Suite("HTTP/1.1 client framing against a scripted loopback server")
struct HTTPExchangeTests {
    /// Accepts one connection, reads the request head, writes `pieces`
    /// (pausing between them), then closes, or keeps the connection open
    /// for `holdOpen`.
    final class ScriptedServer: @unchecked Sendable {
        let port: Int
        private let listener: Int32
        private let lock = NSLock()
        private var request = ""

        init(_ pieces: [String], pause: Duration = .zero, holdOpen: Duration = .zero) throws {
            listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = listener
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound, listen(listener, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
            port = Int(UInt16(bigEndian: address.sin_port))
            let thread = Thread { [self] in
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var head = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
                    let got = recv(client, &buffer, buffer.count, 0)
                    guard got > 0 else { break }
                    head += buffer[0..<got]
                }
                lock.lock()
                request = String(decoding: head, as: UTF8.self)
                lock.unlock()
                for piece in pieces {
                    _ = Array(piece.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if pause > .zero { Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds)) }
                }
                if holdOpen > .zero { Thread.sleep(forTimeInterval: Double(holdOpen.components.seconds)) }
                Glibc.close(client)
            }
            thread.start()
        }

        deinit { Glibc.close(listener) }

        var receivedRequest: String {
            lock.lock()
            defer { lock.unlock() }
            return request
        }

        var url: URL { URL(string: "http://127.0.0.1:\(port)/exec?x=1")! }
    }

    func exchange(_ server: ScriptedServer, timeout: Duration = .seconds(20)) async throws(NetworkError) -> HTTPResponse {
        try await HTTPClient().send(
            HTTPRequest(method: "POST", url: server.url, fields: [HTTPField("Authorization", "Bearer sekrit")], body: Array("whoami".utf8)),
            timeout: timeout)
    }

    @Test("a chunked body arriving in pieces, with a chunk extension and the X-Exe-Exit trailer")
    func chunkedWithTrailer() async throws {
        let server = try ScriptedServer(
            [
                "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Exe-Exit\r\n\r\n",
                "4;ext=1\r\nou", "t\n\r\n", "a\r\n0123456789\r\n0\r\nX-Exe-Exit: 7\r\n\r\n",
            ], pause: .milliseconds(20))
        let response = try await exchange(server)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "out\n0123456789")
        #expect(response.trailers.value(named: "x-exe-exit") == "7")
        let request = server.receivedRequest
        #expect(request.hasPrefix("POST /exec?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"), "\(request)")
        #expect(request.contains("Content-Length: 6\r\n") && request.contains("Connection: close\r\n"))
    }

    @Test("Content-Length bodies: exact, and cut off by the server")
    func contentLength() async throws {
        let exact = try ScriptedServer(["HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 5\r\n\r\nslow!"])
        let response = try await exchange(exact)
        #expect(response.status == 429 && response.head.value("retry-after") == "2")
        #expect(response.body == Array("slow!".utf8))

        let cut = try ScriptedServer(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"])
        await #expect { try await exchange(cut) } throws: { ($0 as? NetworkError)?.kind == .connectionClosed }
    }

    @Test("malformed answers are refused: not HTTP, a bad chunk size, conflicting lengths, a chunked body cut before its end")
    func malformed() async throws {
        for script in [
            "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        ] {
            let server = try ScriptedServer([script])
            await #expect { try await exchange(server) } throws: { ($0 as? NetworkError)?.kind == .malformedResponse }
        }
        let cut = try ScriptedServer(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"])
        await #expect { try await exchange(cut) } throws: { ($0 as? NetworkError)?.kind == .connectionClosed }
    }

    @Test("header blocks and trailer blocks are bounded")
    func bounded() async throws {
        let huge = try ScriptedServer(["HTTP/1.1 200 OK\r\n", "X-Fill: " + String(repeating: "a", count: 70 * 1024) + "\r\n\r\n"])
        await #expect { try await exchange(huge) } throws: { ($0 as? NetworkError)?.kind == .tooLarge }
        let trailers = try ScriptedServer([
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
            String(repeating: "X-T: \(String(repeating: "b", count: 100))\r\n", count: 100) + "\r\n",
        ])
        await #expect { try await exchange(trailers) } throws: { ($0 as? NetworkError)?.kind == .tooLarge }
    }

    @Test("a server that never answers times out at the deadline, and the error carries no header value")
    func deadline() async throws {
        let server = try ScriptedServer([], holdOpen: .seconds(60))
        let started = ContinuousClock.now
        do {
            _ = try await exchange(server, timeout: .milliseconds(700))
            Issue.record("no timeout")
        } catch {
            #expect(error.kind == .timedOut)
            #expect(!error.message.contains("sekrit") && error.message.contains("127.0.0.1:\(server.port)"), "\(error.message)")
        }
        #expect(ContinuousClock.now - started < .seconds(15), "the 700 ms deadline ended it, not the server's 60 s")
    }

    @Test("a field with a line break is refused before anything is sent")
    func headerInjection() async throws {
        let request = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!, fields: [HTTPField("X-A", "b\r\nX-Evil: 1")])
        await #expect { try await HTTPClient().send(request, timeout: .seconds(5)) } throws: {
            ($0 as? NetworkError)?.kind == .invalidRequest
        }
    }

    @Test("the request target keeps the URL's percent-encoding; a 204 has no body")
    func percentEncodedTarget() async throws {
        let server = try ScriptedServer(["HTTP/1.1 204 No Content\r\n\r\n"])
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/v2/a%20b/tags?n=1%202"))
        let response = try await HTTPClient().send(HTTPRequest(method: "GET", url: url), timeout: .seconds(20))
        #expect(response.status == 204 && response.body.isEmpty)
        #expect(server.receivedRequest.hasPrefix("GET /v2/a%20b/tags?n=1%202 HTTP/1.1\r\n"), "\(server.receivedRequest)")
        #expect(!server.receivedRequest.contains("Content-Length"))
    }

    @Test("cancelling the task interrupts an exchange waiting for its answer")
    func cancellation() async throws {
        let server = try ScriptedServer(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"], holdOpen: .seconds(60))
        let task = Task { () async -> NetworkError.Kind? in
            do throws(NetworkError) {
                _ = try await exchange(server, timeout: .seconds(30))
                return nil
            } catch {
                return error.kind
            }
        }
        let asked = ContinuousClock.now + .seconds(30)
        while server.receivedRequest.isEmpty, ContinuousClock.now < asked { try await Task.sleep(for: .milliseconds(20)) }
        try #require(!server.receivedRequest.isEmpty, "the request never reached the server")
        let cancelled = ContinuousClock.now
        task.cancel()
        #expect(await task.value == .cancelled)
        #expect(ContinuousClock.now - cancelled < .seconds(15), "cancelling ended it, not the server's 60 s")
    }
}
