import ExeFuzzTargets
@testable import ExeSim
import Foundation
import Testing

/// Issue 19, findings 1 and 2: exe-sim's HTTP reader (Sources/ExeSim/HTTPMessage.swift)
/// fed the bytes that trapped it or made it buffer without limit. Go's
/// net/http (the real server, execore/exec_handler.go behind http.Server)
/// answers 400 to malformed framing and 431 to an oversized head.
@Suite struct HTTPReaderHostileTests {
    typealias Outcome = Result<HTTPRequest, HTTPReadFailure>

    func read(_ text: String, limit: Int = 64 * 1024) throws -> Outcome {
        try #require(SocketPairFeed.feed(Data(text.utf8)) { fd in
            Outcome { () throws(HTTPReadFailure) -> HTTPRequest in
                try HTTPReader(fd: fd, deadline: .now + .seconds(10)).readRequest(bodyLimit: limit)
            }
        })
    }

    func failure(_ outcome: Outcome) -> HTTPReadFailure? {
        if case .failure(let failure) = outcome { return failure }
        return nil
    }

    @Test func negativeContentLengthIsRefusedWith400() throws {
        let outcome = try read("POST /exec HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
        guard case .malformed = failure(outcome) else {
            Issue.record("expected malformed, got \(outcome)")
            return
        }
        #expect(failure(outcome)?.response?.status == 400)
    }

    @Test(arguments: ["+5", "5x", "0x10", "99999999999999999999", "9223372036854775808", "", "1 2", "5, 6"])
    func malformedContentLengthsAreRefused(_ length: String) throws {
        let outcome = try read("POST /exec HTTP/1.1\r\nContent-Length: \(length)\r\n\r\nhello")
        #expect(failure(outcome)?.response?.status == 400, "Content-Length: \(length)")
    }

    @Test func differingContentLengthsAreRefused() throws {
        let outcome = try read("POST /exec HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc")
        #expect(failure(outcome)?.response?.status == 400)
    }

    @Test func negativeChunkSizeIsRefusedWith400() throws {
        let outcome = try read("POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nls\r\n0\r\n\r\n")
        #expect(failure(outcome)?.response?.status == 400)
    }

    @Test(arguments: ["+2", "0x2", "zz", "", "fffffffffffffffff", " -0"])
    func malformedChunkSizesAreRefused(_ size: String) throws {
        let outcome = try read("POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nls\r\n0\r\n\r\n")
        #expect(failure(outcome)?.response?.status == 400, "chunk size \(size)")
    }

    /// A chunk larger than the limit is not read at all: the reader stops
    /// after its size line while the peer is still sending 8 MB.
    @Test func hugeChunkIsNotBuffered() throws {
        let head = "POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n"
        let data = Data(head.utf8) + Data(repeating: 0x78, count: 8 << 20)
        let started = ContinuousClock.now
        let outcome = try #require(SocketPairFeed.feed(data) { fd in
            Outcome { () throws(HTTPReadFailure) -> HTTPRequest in
                try HTTPReader(fd: fd, deadline: .now + .seconds(10)).readRequest(bodyLimit: 64 * 1024)
            }
        })
        let request = try outcome.get()
        #expect(request.bodyTooLarge)
        #expect(request.body.isEmpty)
        #expect(started.duration(to: .now) < .seconds(5))
    }

    /// Chunks that add up past the limit stop being read at the chunk that crosses it.
    @Test func chunksAddingUpPastTheLimitStopThere() throws {
        let chunk = String(repeating: "a", count: 40 * 1024)
        let size = String(chunk.utf8.count, radix: 16)
        let text = "POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n\(chunk)\r\n\(size)\r\n\(chunk)\r\n0\r\n\r\n"
        let request = try read(text).get()
        #expect(request.bodyTooLarge)
        #expect(request.body.count <= 64 * 1024)
    }

    @Test func validChunkedBodyIsReassembled() throws {
        let request = try read("POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nls\r\n3\r\n -l\r\n0\r\nTrailer: 1\r\n\r\n").get()
        #expect(String(decoding: request.body, as: UTF8.self) == "ls -l")
        #expect(!request.bodyTooLarge)
    }

    @Test func oversizedHeadIsRefusedWith431() throws {
        let outcome = try read("POST /exec HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 70 * 1024))\r\n\r\n")
        #expect(failure(outcome) == .headTooLarge)
        #expect(failure(outcome)?.response?.status == 431)
        let many = (0..<300).map { "X-\($0): 1\r\n" }.joined()
        #expect(failure(try read("POST /exec HTTP/1.1\r\n\(many)\r\n")) == .headTooLarge)
    }

    @Test func requestLineMustHaveThreeParts() throws {
        #expect(failure(try read("GARBAGE\r\n\r\n"))?.response?.status == 400)
        #expect(failure(try read("\r\n\r\n"))?.response?.status == 400)
        #expect(failure(try read("POST /exec HTTP/1.1\r\n: novalue\r\n\r\n"))?.response?.status == 400)
    }

    @Test func peerClosingEarlyIsClosedNotACrash() throws {
        #expect(failure(try read("POST /exec HTTP/1.1\r\nContent-Le")) == .closed)
        #expect(failure(try read("")) == .closed)
    }

    /// The response reader (exe-sim's loopback client) trapped the same way.
    @Test func responseWithNegativeLengthIsMalformed() throws {
        let outcome = try #require(SocketPairFeed.feed(Data("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n".utf8)) { fd in
            Result { () throws(HTTPReadFailure) -> HTTPResponse in try HTTPReader(fd: fd).readResponse(limit: 1024) }
        })
        guard case .failure(.malformed) = outcome else {
            Issue.record("expected malformed, got \(outcome)")
            return
        }
    }
}
