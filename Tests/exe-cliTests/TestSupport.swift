import ArgumentParser
import ExeControl
import ExeSSH
import Foundation
import Synchronization
@testable import exe_cli

/// stdout and stderr captured in memory.
final class CapturedConsole: Sendable {
    private let streams = Mutex<(out: Data, err: Data)>((Data(), Data()))

    var stdout: String { streams.withLock { String(decoding: $0.out, as: UTF8.self) } }
    var stderr: String { streams.withLock { String(decoding: $0.err, as: UTF8.self) } }

    var console: Console {
        Console(
            writeOutput: { data in self.streams.withLock { $0.out.append(data) } },
            writeError: { data in self.streams.withLock { $0.err.append(data) } })
    }
}

/// A transport answering every command with the same output.
struct CannedTransport: ControlTransport {
    let output: String
    let status: Int32
    let appendsJSONFlag = true

    func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        ControlResponse(output: Data(output.utf8), completion: .exitStatus(status))
    }

    func close() async {}
}

extension CLIEnvironment {
    /// An environment with these variables, a fake home, and a captured console.
    static func test(_ variables: [String: String] = [:], home: String = "/nonexistent-home", console: CapturedConsole) -> CLIEnvironment {
        CLIEnvironment(
            variables: variables, ssh: SSHEnvironment(homeDirectory: home, userName: "tester", agentSocket: nil),
            console: console.console, passphraseProvider: nil)
    }
}

extension CommandSession {
    /// A session whose client answers every command with `output`.
    static func canned(_ output: String, status: Int32 = 0, json: Bool = false, console: CapturedConsole) throws -> CommandSession {
        let options = try GlobalOptions.parse(json ? ["--json"] : [])
        let environment = CLIEnvironment.test(console: console)
        return CommandSession(
            settings: try ControlSettings(options, environment: environment), environment: environment,
            client: ControlClient(transport: CannedTransport(output: output, status: status)))
    }
}
