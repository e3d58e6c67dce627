@testable import ExeControl
import ExeSystem
import Foundation
import Synchronization
import Testing

@Suite("HTTPS transport against a loopback HTTP server")
struct HTTPSTransportTests {
    static let token = Secret("exe1.TESTTOKENABCDEFGHIJKLMNOP")

    func withServer<T>(
        _ handler: @escaping @Sendable (LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response,
        retry: HTTPSControlTransport.RateLimitRetry? = nil, sleeps: SleepLog? = nil,
        _ body: (ControlClient, LoopbackHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try LoopbackHTTPServer(handler: handler)
        defer { server.stop() }
        let configuration = HTTPSControlTransport.Configuration(
            endpoint: server.endpoint, token: Self.token, requestTimeout: .seconds(10), rateLimitRetry: retry,
            sleep: { duration in sleeps?.record(duration) })
        let client = try ControlClient(configuration: .https(configuration))
        defer { Task { await client.close() } }
        return try await body(client, server)
    }

    @Test("POST /exec, Bearer token in the header only, the command line as the body, no --json")
    func requestShape() async throws {
        try await withServer({ _ in .init(status: 200, body: #"{"vms":[]}"# + "\n") }) { client, server in
            _ = try await client.list(["prod"])
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/exec")
            #expect(request.headers["authorization"] == "Bearer exe1.TESTTOKENABCDEFGHIJKLMNOP")
            #expect(String(decoding: request.body, as: UTF8.self) == "ls prod")
            #expect(!String(decoding: request.body, as: UTF8.self).contains("TESTTOKEN"))
        }
    }

    @Test("several JSON values in a 200 body (rm)")
    func removeOverHTTPS() async throws {
        let body = #"{"error":"VM \"nope\" not found"}"# + "\n" + #"{"deleted":[],"failed":["nope"]}"# + "\n"
        try await withServer({ _ in .init(status: 200, body: body) }) { client, _ in
            let result = try await client.remove(["nope"])
            #expect(result.failures.first?.kind == .notFound)
        }
    }

    @Test("401/403/404/413/422/429/504 become kinds with the server's message")
    func statusMapping() async throws {
        let cases: [(Int, String, ControlError.Kind)] = [
            (401, "missing or invalid Authorization header", .authenticationFailed),
            (403, "command not allowed by token permissions", .permissionDenied),
            (404, "unknown command", .unknownCommand),
            (413, "request body exceeds 64KB limit", .requestTooLarge),
            (422, #"vm \"x\" not found"#, .notFound),
            (429, "rate limit exceeded", .rateLimited),
            (504, "command timed out", .timeout),
        ]
        for (status, message, kind) in cases {
            try await withServer({ _ in .init(status: status, body: #"{"error":"\#(message)"}"# + "\n", headers: status == 429 ? ["Retry-After": "7"] : [:]) }) { client, _ in
                do {
                    _ = try await client.whoami()
                    Issue.record("HTTP \(status) did not throw")
                } catch let error as ControlError {
                    #expect(error.kind == kind, "HTTP \(status)")
                    #expect(error.httpStatus == status)
                    #expect(error.message == message.replacingOccurrences(of: "\\\"", with: "\""))
                    #expect(error.command == "whoami")
                    if status == 429 { #expect(error.retryAfter == .seconds(7)) }
                }
            }
        }
    }

    @Test("an empty 200 body is success for commands that print nothing")
    func emptyBody() async throws {
        try await withServer({ _ in .init(status: 200, body: "") }) { client, server in
            try await client.integrations.rename("old", to: "new")
            #expect(String(decoding: server.requests[0].body, as: UTF8.self) == "integrations rename old new")
        }
    }

    @Test("a body over 64 KiB is refused before anything is sent")
    func bodyLimit() async throws {
        try await withServer({ _ in .init(status: 200, body: "{}") }) { client, server in
            let filters = (0..<7000).map { "filter-\($0)" }
            do {
                _ = try await client.list(filters)
                Issue.record("expected requestTooLarge")
            } catch let error as ControlError {
                #expect(error.kind == .requestTooLarge)
            }
            #expect(server.requests.isEmpty)
            // Exactly at the limit is fine.
            let request = ControlRequest(["ls"], arguments: [ControlWord(String(repeating: "a", count: 65536 - 3))])
            _ = try? await client.execute(request)
            #expect(server.requests.count == 1)
        }
    }

    @Test("429 is retried after Retry-After when configured, up to the limit")
    func rateLimitRetry() async throws {
        let calls = CallCounter()
        let sleeps = SleepLog()
        try await withServer(
            { _ in
                let call = calls.next()
                return call < 3
                    ? .init(status: 429, body: #"{"error":"rate limit exceeded"}"#, headers: ["Retry-After": "2"])
                    : .init(status: 200, body: #"{"email":"a@b.co","ssh_keys":[]}"#)
            }, retry: .init(maxRetries: 3, maxWait: .seconds(5)), sleeps: sleeps
        ) { client, server in
            let account = try await client.whoami()
            #expect(account.email == "a@b.co")
            #expect(server.requests.count == 3)
        }
        #expect(sleeps.durations == [.seconds(2), .seconds(2)])

        try await withServer(
            { _ in .init(status: 429, body: #"{"error":"rate limit exceeded"}"#, headers: ["Retry-After": "60"]) },
            retry: .init(maxRetries: 3, maxWait: .seconds(5))
        ) { client, server in
            await #expect { try await client.whoami() } throws: { ($0 as? ControlError)?.kind == .rateLimited }
            #expect(server.requests.count == 1)
        }
    }

    @Test("429 retries stop at the total wait bound: the wait that would pass it fails at once")
    func rateLimitTotalWait() async throws {
        let sleeps = SleepLog()
        try await withServer(
            { _ in .init(status: 429, body: #"{"error":"rate limit exceeded"}"#, headers: ["Retry-After": "4"]) },
            retry: .init(maxRetries: 10, maxWait: .seconds(5), maxTotalWait: .seconds(10)), sleeps: sleeps
        ) { client, server in
            await #expect { try await client.whoami() } throws: { ($0 as? ControlError)?.kind == .rateLimited }
            #expect(server.requests.count == 3)
        }
        #expect(sleeps.durations == [.seconds(4), .seconds(4)])
    }

    @Test("redirects are not followed, so the token stays with the configured host")
    func noRedirects() async throws {
        try await withServer({ _ in .init(status: 302, body: "", headers: ["Location": "/steal"]) }) { client, server in
            await #expect(throws: ControlError.self) { try await client.whoami() }
            #expect(server.requests.count == 1)
        }
    }

    @Test("plain http is refused except to loopback; an empty token is refused")
    func endpointChecks() throws {
        #expect(throws: ControlError.self) {
            try HTTPSControlTransport(configuration: .init(endpoint: URL(string: "http://exe.dev/exec")!, token: Self.token))
        }
        #expect(throws: Never.self) {
            try HTTPSControlTransport(configuration: .init(endpoint: URL(string: "http://127.0.0.1:1/exec")!, token: Self.token))
        }
        #expect(throws: ControlError.self) {
            try HTTPSControlTransport(configuration: .init(token: Secret("")))
        }
        #expect(LoopbackHost.contains("127.3.4.5") && LoopbackHost.contains("localhost"))
        #expect(!LoopbackHost.contains("128.0.0.1") && !LoopbackHost.contains("127.0.0.1.evil.com"))
    }

    @Test("a refused connection is a transport error")
    func connectionRefused() async throws {
        let port = ExeTestPort.unused()
        let client = try ControlClient(configuration: .https(.init(endpoint: URL(string: "http://127.0.0.1:\(port)/exec")!, token: Self.token, requestTimeout: .seconds(5))))
        await #expect { try await client.whoami() } throws: { ($0 as? ControlError)?.kind == .transport }
    }
}

/// Records the waits a transport asked for.
final class SleepLog: Sendable {
    private let log = Mutex<[Duration]>([])
    var durations: [Duration] { log.withLock { $0 } }
    func record(_ duration: Duration) { log.withLock { $0.append(duration) } }
}

/// Counts calls from any thread.
final class CallCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }
}
