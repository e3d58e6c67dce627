import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation

/// Compares running many small commands through ExeSSH (one connection) with
/// what users run today: one OpenSSH `ssh` process per command, and OpenSSH
/// with ControlMaster multiplexing. One run, one loopback sshd, same commands.
/// Then the concurrent and sequential rows again over a real round trip: the
/// sshd behind a ``DelayProxy`` delaying each direction by `--delay-ms`
/// (default 15 ms, so 30 ms RTT), where starting many commands at once pays
/// for the channel opens and exec requests that libssh2 lets wait for their
/// replies one at a time.
///
/// Usage: `swift run -c release ssh-benchmark [--count N] [--concurrent N] [--delay-ms D]`
@main
struct SSHBenchmark {
    static func main() async throws {
        let count = BenchmarkReport.option("--count", default: 200)
        let concurrent = BenchmarkReport.option("--concurrent", default: 50)

        let server = try await LoopbackSSHServer.start(.init(maxSessions: 10))
        defer { server.cleanUp() }
        var configuration = SSHClientConfiguration()
        configuration.environment = SSHEnvironment(homeDirectory: server.directory.path, userName: server.user, agentSocket: nil)
        configuration.identityFiles = [server.clientKey.privatePath]
        configuration.useDefaultIdentities = false
        configuration.useAgent = false
        configuration.knownHostsFiles = [server.knownHostsPath]
        let destination = SSHDestination(host: "127.0.0.1", port: server.port, user: server.user)
        let clock = ContinuousClock()

        print("ssh-benchmark: \(count) sequential `true`, \(concurrent) concurrent, against OpenSSH sshd on 127.0.0.1:\(server.port)")

        // ExeSSH: connect once (counted), then run sequentially.
        let library = try await clock.measure {
            let connection = try await SSHConnection.connect(to: destination, configuration: configuration)
            for _ in 0..<count { try await connection.run("true", check: true) }
            await connection.close()
        }

        // ExeSSH: a fresh connection per command (connect, run, close), what
        // a CLI call without the connection holder does.
        let connectEach = try await clock.measure {
            for _ in 0..<count / 4 {
                let connection = try await SSHConnection.connect(to: destination, configuration: configuration)
                try await connection.run("true", check: true)
                await connection.close()
            }
        }

        let sshBase = [
            "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\(server.knownHostsPath)", "-o", "LogLevel=ERROR",
            "-i", server.clientKey.privatePath, "-p", "\(server.port)",
        ]
        let runner = LocalProcessRunner()
        let perProcess = try await clock.measure {
            for _ in 0..<count {
                try await runner.check(ProcessInvocation("ssh", sshBase + ["\(server.user)@127.0.0.1", "true"]))
            }
        }

        let controlPath = server.directory.file("cm-%C")
        let multiplexed = sshBase + ["-o", "ControlMaster=auto", "-o", "ControlPath=\(controlPath)", "-o", "ControlPersist=60"]
        let controlMaster = try await clock.measure {
            for _ in 0..<count {
                try await runner.check(ProcessInvocation("ssh", multiplexed + ["\(server.user)@127.0.0.1", "true"]))
            }
        }
        _ = try? await runner.run(ProcessInvocation("ssh", multiplexed + ["-O", "exit", "\(server.user)@127.0.0.1"]))

        /// `concurrent` commands on `connection` at once, then one after another.
        func fanOut(_ connection: SSHConnection) async throws -> (parallel: Duration, sequential: Duration) {
            let parallel = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<concurrent { group.addTask { try await connection.run("true", check: true) } }
                    try await group.waitForAll()
                }
            }
            let sequential = try await clock.measure {
                for _ in 0..<concurrent { try await connection.run("true", check: true) }
            }
            return (parallel, sequential)
        }

        let connection = try await SSHConnection.connect(to: destination, configuration: configuration)
        let (parallel, sequentialSame) = try await fanOut(connection)
        try await Throughput.run(connection, megabytes: BenchmarkReport.option("--megabytes", default: 200))
        await connection.close()

        let delayMilliseconds = BenchmarkReport.option("--delay-ms", default: 15)
        let delay = Duration.milliseconds(delayMilliseconds)
        let proxy = DelayProxy(upstreamPort: server.port, delay: delay)
        defer { proxy.stop() }
        var delayed = configuration
        delayed.hostKeyAlias = "[127.0.0.1]:\(server.port)"
        let far = try await SSHConnection.connect(to: SSHDestination(host: "127.0.0.1", port: proxy.port, user: server.user), configuration: delayed)
        let (farParallel, farSequential) = try await fanOut(far)
        await far.close()

        func row(_ name: String, _ duration: Duration, _ n: Int, baseline: Duration) {
            BenchmarkReport.row(name, duration, operations: n, unit: "cmd", baseline: baseline)
        }
        print("  (ratio: time relative to ExeSSH; higher means slower than ExeSSH)")
        row("ExeSSH, one connection (incl. handshake)", library, count, baseline: library)
        row("OpenSSH ssh, one process per command", perProcess, count, baseline: library)
        row("OpenSSH ssh with ControlMaster", controlMaster, count, baseline: library)
        row("ExeSSH, connect + run + close per command", connectEach, count / 4, baseline: library)
        print("  \(concurrent) commands on one ExeSSH connection:")
        row("  concurrent", parallel, concurrent, baseline: parallel)
        row("  sequential", sequentialSame, concurrent, baseline: parallel)
        print("  \(concurrent) commands on one ExeSSH connection over \(2 * delayMilliseconds) ms RTT:")
        row("  concurrent", farParallel, concurrent, baseline: farParallel)
        row("  sequential", farSequential, concurrent, baseline: farParallel)
        let seconds = BenchmarkReport.seconds
        BenchmarkReport.target("at least 3x faster than ssh per command", ratio: seconds(library) / seconds(perProcess), limit: 1.0 / 3)
        BenchmarkReport.target("no slower than ControlMaster", ratio: seconds(library) / seconds(controlMaster), limit: 1)
    }
}
