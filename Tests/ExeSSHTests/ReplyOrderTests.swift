import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// libssh2 (1.10, and still upstream) waits for a request's reply with
/// `_libssh2_packet_requirev`: when the packet it reads off the socket has
/// the reply's type but belongs to someone else, it fails the wait with -1
/// (`packet.c`), and a global request takes the first `REQUEST_SUCCESS` or
/// `REQUEST_FAILURE` it finds, even a keepalive's. These tests make those
/// replies arrive out of turn.
@Suite("Replies that arrive for someone else", .serialized)
struct ReplyOrderTests {
    @Test("many channels starting at once never take each other's exec replies", arguments: 1...3)
    func concurrentStarts(round: Int) async throws {
        try await withServer { server in
            let connection = try await server.connect()
            try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for index in 0..<40 { group.addTask { try await connection.run("echo \(index)") } }
                var outputs = Set<String>()
                for try await result in group {
                    #expect(result.status == .exited(0))
                    outputs.insert(result.stdout)
                }
                #expect(outputs.count == 40)
            }
            await connection.close()
        }
    }

    @Test("the SFTP subsystem starts while commands open and start channels around it", arguments: 1...3)
    func sftpAmongCommands(round: Int) async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let path = server.directory.file("reply-order-\(round)")
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 { group.addTask { try await connection.run("echo \(index)").succeeded } }
                group.addTask {
                    try await connection.upload(Data("round \(round)".utf8), to: path)
                    return try await connection.download(path) == Data("round \(round)".utf8)
                }
                for try await succeeded in group { #expect(succeeded) }
            }
            await connection.close()
        }
    }

    @Test("SFTP waits for a free channel when commands hold every one (MaxSessions 10), instead of being refused")
    func sftpWhenChannelsAreFull() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let path = server.directory.file("full-channels")
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 { group.addTask { try await connection.run("sleep 1").succeeded } }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(300))  // the commands have taken every channel
                    try await connection.upload(Data("full".utf8), to: path)
                    return try await connection.download(path) == Data("full".utf8)
                }
                for try await succeeded in group { #expect(succeeded) }
            }
            await connection.close()
        }
    }

    @Test("a remote forward asked for after idle keepalives is granted (their replies are not its reply)")
    func forwardAfterKeepalives() async throws {
        let echo = LineEchoServer()
        defer { echo.stop() }
        try await withServer { server in
            var configuration = server.clientConfiguration()
            configuration.keepaliveInterval = .seconds(2)
            let connection = try await server.connect(configuration)
            // Two keepalives go out and are answered while nothing else runs.
            try await Task.sleep(for: .seconds(5))
            let forward = try await SSHRemoteForward.open(connection: connection, localPort: echo.port)
            #expect(forward.remotePort > 0)
            let script = "exec 3<>/dev/tcp/127.0.0.1/\(forward.remotePort); echo hi >&3; head -n 1 <&3"
            let result = try await connection.run("bash -c \(ShellQuote.word(script))", timeout: .seconds(30))
            #expect(result.stdout == "echo:hi\n", "\(result.stderr)")
            await forward.close()
            await connection.close()
        }
    }
}
