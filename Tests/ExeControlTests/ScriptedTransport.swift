@testable import ExeControl
import Foundation
import Synchronization

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: ControlTransport, @unchecked Sendable {
    let appendsJSONFlag: Bool
    private let answer: @Sendable (String) -> ControlResponse
    private let sent = Mutex<[String]>([])

    /// Command lines sent, in order.
    var commandLines: [String] { sent.withLock { $0 } }

    init(appendsJSONFlag: Bool = true, answer: @escaping @Sendable (String) -> ControlResponse) {
        self.appendsJSONFlag = appendsJSONFlag
        self.answer = answer
    }

    /// Always prints `output` and exits with `status`.
    convenience init(output: String, status: Int32 = 0) {
        self.init { _ in ControlResponse(output: Data(output.utf8), completion: .exitStatus(status)) }
    }

    func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        let line = request.commandLine(appendingJSONFlag: appendsJSONFlag)
        sent.withLock { $0.append(line) }
        return answer(line)
    }

    func close() async {}
}

extension ControlClient {
    /// A client whose every command prints `output` and exits with `status`.
    static func scripted(_ output: String, status: Int32 = 0) -> (ControlClient, ScriptedTransport) {
        let transport = ScriptedTransport(output: output, status: status)
        return (ControlClient(transport: transport), transport)
    }
}
