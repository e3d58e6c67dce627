import ExeFuzzTargets
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19: exe-sim's `/exec` (Sources/ExeSim/SimDaemon.swift,
/// HTTPMessage.swift) driven from outside, on loopback only, with
/// thousands of malformed requests and hundreds of idle connections; it
/// must keep answering with bounded memory and threads. The real server
/// (Go net/http in front of execore/exec_handler.go) answers 400 to bad
/// framing and 413 past 64 KB.
// The flood itself takes seconds, but the time limit also counts the wait
// for `SimulatorGate` (one simulator at a time): in the whole suite on a
// loaded 2-core machine that wait has passed 20 minutes. The limit only
// guards against a hang.
@Suite(.serialized, .timeLimit(.minutes(60)))
struct ExecFloodTests {
    /// Malformed requests, from the fuzz seeds and their mutations.
    static func malformedRequests(count: Int) -> [Data] {
        let fixed = [
            "POST /exec HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nls\r\n0\r\n\r\n",
            "POST /exec HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST /exec HTTP/1.1\r\nX: \(String(repeating: "a", count: 70_000))\r\n\r\n",
            "GARBAGE\r\n\r\n", "\r\n\r\n", "POST /exec HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
        ].map { Data($0.utf8) }
        var fuzzer = MutationFuzzer(seed: 1919, corpus: FuzzTarget.httpRequest.seeds)
        return fixed + (0..<max(0, count - fixed.count)).map { _ in fuzzer.next() }
    }

    @Test func execSurvivesMalformedRequestsAndIdleConnections() async throws {
        try await SimulatorGate.withTurn(label: "ExecFloodTests", start: { try await SimulatorHarness.start(authorizedKeys: []) }, stop: { try await $0.stop() }) { sim in
            let port = try #require(URLComponents(string: sim.apiURL)?.port)
            let pidText = try String(contentsOfFile: sim.stateDirectory + "/daemon.pid", encoding: .utf8)
            let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(Loopback.answer(port: port, Data("POST /exec HTTP/1.1\r\nContent-Length: 2\r\n\r\nls".utf8))?.hasPrefix("HTTP/1.1 401") == true)
            let before = try #require(ProcessStatus.read(pid))

            // 3,000 malformed requests from 4 threads, plus 16 that stream
            // 4 MB each behind a huge chunk size (300 MB used to be buffered).
            let requests = Self.malformedRequests(count: 3000)
            let answers = await Loopback.onThreads(4, count: requests.count) { Loopback.answer(port: port, requests[$0]) }
            let huge = Data("POST /exec HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n".utf8) + Data(repeating: 0x78, count: 4 << 20)
            let hugeAnswers = await Loopback.onThreads(4, count: 16) { _ in Loopback.answer(port: port, huge) }
            let statuses = (answers + hugeAnswers).compactMap { $0.flatMap { Int($0.dropFirst(9).prefix(3)) } }
            #expect(statuses.count > 2500, "only \(statuses.count) of \(answers.count + hugeAnswers.count) requests were answered")
            #expect(!statuses.contains(500), "a malformed request made the daemon fail")
            #expect(statuses.filter { $0 == 400 }.count > 100)
            // Refused without reading the 4 MB (no token: 401 comes first, as in ExecAPI), or reset mid-send.
            #expect(
                hugeAnswers.allSatisfy { $0 == nil || $0?.hasPrefix("HTTP/1.1 401") == true || $0?.hasPrefix("HTTP/1.1 413") == true },
                "\(hugeAnswers.map { $0?.prefix(20) ?? "nil" })")
            #expect(kill(pid, 0) == 0, "the daemon died")

            // 300 idle connections (over the cap of 256): threads stay capped,
            // and once they go, a request is answered again.
            var idle: [Int32] = []
            for _ in 0..<300 {
                if let fd = Loopback.connect(port: port) { idle.append(fd) }
            }
            try await Task.sleep(for: .milliseconds(500))
            let held = try #require(ProcessStatus.read(pid))
            for fd in idle { close(fd) }
            #expect(idle.count == 300)
            #expect(held.threads <= before.threads + 256 + 8, "\(held.threads) threads with 300 idle connections (cap 256)")
            var answered = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !answered, ContinuousClock.now < deadline {
                answered = Loopback.answer(port: port, Data("POST /exec HTTP/1.1\r\nContent-Length: 2\r\n\r\nls".utf8))?.hasPrefix("HTTP/1.1 401") == true
                if !answered { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(answered, "the daemon stopped answering /exec")
            let after = try #require(ProcessStatus.read(pid))
            #expect(
                after.residentKiB < before.residentKiB + 64 * 1024,
                "resident memory grew from \(before.residentKiB) KiB to \(after.residentKiB) KiB")
        }
    }
}

/// `VmRSS` and `Threads` of a process, from /proc/PID/status.
struct ProcessStatus {
    var residentKiB: Int
    var threads: Int

    static func read(_ pid: Int32) -> ProcessStatus? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var status = ProcessStatus(residentKiB: -1, threads: -1)
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "VmRSS:" { status.residentKiB = Int(fields[1]) ?? -1 }
            if fields[0] == "Threads:" { status.threads = Int(fields[1]) ?? -1 }
        }
        return status.residentKiB >= 0 && status.threads >= 0 ? status : nil
    }
}

/// Blocking loopback clients for the flood, run off the cooperative pool.
enum Loopback {
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Sends `request`, shuts down writing and returns the first bytes of
    /// the answer as text (`nil`: no answer).
    static func answer(port: Int, _ request: Data) -> String? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        let bytes = [UInt8](request)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { break }
            offset += sent
        }
        shutdown(fd, Int32(SHUT_WR))
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    /// Runs `body` for `0..<count` on `threads` threads and returns the results in order.
    static func onThreads<T: Sendable>(_ threads: Int, count: Int, _ body: @escaping @Sendable (Int) -> T) async -> [T] {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let results = ResultSlots<T>(count: count)
                DispatchQueue.concurrentPerform(iterations: threads) { worker in
                    for index in stride(from: worker, to: count, by: threads) { results.set(index, body(index)) }
                }
                continuation.resume(returning: results.values)
            }
            thread.start()
        }
    }

    private final class ResultSlots<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [T?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }
        var values: [T] { lock.withLock { slots.compactMap { $0 } } }
    }
}
