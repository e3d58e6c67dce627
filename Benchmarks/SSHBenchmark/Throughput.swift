import ExeSSH
import ExeTestSupport
import Foundation

/// Measures bulk transfer through one channel (stdin and stdout).
enum Throughput {
    static func run(_ connection: SSHConnection, megabytes: Int) async throws {
        let payload = Data(repeating: 0x61, count: 1 << 20)
        let clock = ContinuousClock()
        let chunks = AsyncStream<Data> { continuation in
            for _ in 0..<megabytes { continuation.yield(payload) }
            continuation.finish()
        }
        let upload = try await clock.measure {
            let result = try await connection.run("cat > /dev/null", stdin: .sequence(chunks))
            precondition(result.succeeded)
        }
        var received = 0
        let download = try await clock.measure {
            for try await event in connection.stream("head -c \(megabytes << 20) /dev/zero") {
                if case .stdout(let data) = event { received += data.count }
            }
        }
        func rate(_ d: Duration) -> Double { Double(megabytes) / BenchmarkReport.seconds(d) }
        print(String(format: "  throughput: stdin %.0f MB/s, stdout %.0f MB/s (%d MiB each way)", rate(upload), rate(download), megabytes))
    }
}
