import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// ``SSHClientConfiguration/spareSessionChannels``: a channel opened ahead of
/// need saves a warm command the channel-open round trip. Measured through
/// a ``DelayProxy`` (100 ms each way) in front of a real sshd.
@Suite("Spare session channels", .serialized)
struct SpareChannelTests {
    /// The server's configuration, reached through `proxy`.
    func configuration(_ server: LoopbackSSHServer, proxy: DelayProxy, spares: Int) throws -> SSHClientConfiguration {
        let original = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
        let proxied = original.replacingOccurrences(of: "[127.0.0.1]:\(server.port) ", with: "[127.0.0.1]:\(proxy.port) ")
        let path = server.directory.file("known_hosts_proxy_\(spares)")
        try Data(proxied.utf8).write(to: URL(fileURLWithPath: path))
        var configuration = server.clientConfiguration(knownHosts: [path])
        configuration.spareSessionChannels = spares
        configuration.connectTimeout = .seconds(10)
        configuration.handshakeTimeout = .seconds(10)
        return configuration
    }

    /// The median time of `runs` warm `true` commands, each after the
    /// connection has had time to open its next spare.
    func warmMedian(_ connection: SSHConnection, runs: Int = 5) async throws -> Duration {
        var times: [Duration] = []
        for _ in 0..<runs {
            // Five round trips: ample for the spare's one, even on a loaded machine.
            try await Task.sleep(for: .seconds(1))
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await connection.run("true")
            times.append(clock.now - start)
            #expect(result.status == .exited(0))
        }
        return times.sorted()[runs / 2]
    }

    @Test("a warm command on a connection with a spare channel takes one round trip less, and the next spare is opened behind it")
    func oneRoundTripLess() async throws {
        try await withServer { server in
            let proxy = DelayProxy(upstreamPort: server.port, delay: .milliseconds(100))
            defer { proxy.stop() }
            let destination = SSHDestination(host: "127.0.0.1", port: proxy.port, user: server.user)
            let plain = try await SSHConnection.connect(to: destination, configuration: configuration(server, proxy: proxy, spares: 0))
            let spared = try await SSHConnection.connect(to: destination, configuration: configuration(server, proxy: proxy, spares: 1))
            _ = try await plain.run("true")
            _ = try await spared.run("true")
            let withoutSpare = try await warmMedian(plain)
            let withSpare = try await warmMedian(spared)
            // One round trip is 200 ms here; allow half of it for noise.
            #expect(withSpare < withoutSpare - .milliseconds(100), "with a spare \(withSpare), without \(withoutSpare)")

            // Several commands at once: one takes the spare, the others open
            // their own channels; every output arrives intact.
            try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
                for index in 0..<4 {
                    group.addTask { (index, try await spared.run("printf 'n=%s' \(index); read line; echo \"$line\"", stdin: .string("in-\(index)\n"))) }
                }
                for try await (index, result) in group {
                    #expect(result.stdout == "n=\(index)in-\(index)\n")
                    #expect(result.status == .exited(0))
                }
            }
            // A terminal session can start on a spare channel too.
            try await Task.sleep(for: .milliseconds(600))
            let shell = spared.shell(terminal: PseudoTerminal(term: "xterm", width: 90, height: 30), input: .none, command: "stty size")
            var screen = ""
            for try await event in shell.output {
                if case .stdout(let data) = event { screen += String(decoding: data, as: UTF8.self) }
            }
            #expect(screen.contains("30 90"))
            await plain.close()
            await spared.close()
        }
    }

    @Test("a server that refuses every terminal (PermitTTY no): a shell on a spare fails once with the refusal, instead of trying spare after spare")
    func refusedTerminal() async throws {
        try await withServer(.init(extraConfig: ["PermitTTY no"])) { server in
            var configuration = server.clientConfiguration()
            configuration.spareSessionChannels = 1
            let connection = try await server.connect(configuration)
            #expect(try await connection.run("true").succeeded)  // a spare is open behind it
            let outcome = Task {
                let shell = connection.shell(terminal: PseudoTerminal(term: "xterm", width: 80, height: 24), input: .none, command: "true")
                do {
                    for try await _ in shell.output {}
                    return "finished"
                } catch {
                    return "\(error)"
                }
            }
            let watchdog = Task {
                try await Task.sleep(for: .seconds(15))
                outcome.cancel()
            }
            let result = await outcome.value
            watchdog.cancel()
            #expect(result.contains("requesting a terminal"), "\(result)")
            // The connection still runs commands.
            #expect(try await connection.run("echo ok").stdout == "ok\n")
            await connection.close()
        }
    }

    @Test("a server that allows one session per connection refuses the spare: commands still run, one at a time")
    func refusedSpare() async throws {
        try await withServer(.init(maxSessions: 1)) { server in
            var configuration = server.clientConfiguration()
            configuration.spareSessionChannels = 1
            let connection = try await server.connect(configuration)
            for index in 0..<4 {
                let result = try await connection.run("echo \(index)")
                #expect(result.stdout == "\(index)\n")
            }
            await connection.close()
        }
    }
}
