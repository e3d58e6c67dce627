import ExeSSH
import ExeTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Command input over a real sshd", .serialized, .timeLimit(.minutes(1)))
struct InputPumpTests {
    @Test("a command that exits without reading its input lets go of the input source (nothing waits for room for ever)")
    func unreadInputIsReleased() async throws {
        try await withServer { server in
            let connection = try await server.connect()
            let released = ReleaseFlag()
            let result = try await connection.run("true", stdin: Self.unreadInput(released: released), timeout: .seconds(30))
            #expect(result.status == .exited(0))
            let deadline = ContinuousClock.now + .seconds(5)
            while !released.isSet && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(released.isSet, "the pump still holds the source after the command ended")
            #expect(try await connection.run("echo ok").stdout == "ok\n")
            await connection.close()
        }
    }

    /// 8 MB waiting (more than the 4 MB the pump buffers) from a stream that
    /// notes when its last reader lets go; nothing else keeps it.
    private static func unreadInput(released: ReleaseFlag) -> CommandInput {
        let (source, feed) = AsyncStream<Data>.makeStream()
        feed.onTermination = { _ in released.set() }
        for _ in 0..<128 { feed.yield(Data(repeating: 0x61, count: 64 * 1024)) }
        return .sequence(source)
    }
}

/// Set once, read from any thread.
final class ReleaseFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
