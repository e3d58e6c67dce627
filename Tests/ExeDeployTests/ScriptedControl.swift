import ExeControl
import Foundation
import Synchronization

/// A control plane inside the test process: every command line is answered
/// by `answer` (printed JSON and an exit status, or a thrown transport
/// error) and recorded.
final class ScriptedControl: ControlTransport {
    enum Answer: Sendable {
        /// Prints `output` and exits with `status`.
        case prints(String, status: Int32 = 0)
        /// The transport fails (a timeout, a lost connection).
        case fails(ControlError)
    }

    let appendsJSONFlag = true
    private let answer: @Sendable (String) -> Answer
    private let sent = Mutex<[String]>([])

    init(_ answer: @escaping @Sendable (String) -> Answer) { self.answer = answer }

    /// The command lines sent, in order.
    var commandLines: [String] { sent.withLock { $0 } }

    /// A client over this transport.
    var client: ControlClient { ControlClient(transport: self) }

    func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        let line = request.commandLine(appendingJSONFlag: true)
        sent.withLock { $0.append(line) }
        switch answer(line) {
        case .prints(let output, let status): return ControlResponse(output: Data(output.utf8), completion: .exitStatus(status))
        case .fails(let error): throw error
        }
    }

    func close() async {}

    /// `{"error": message}` with exit status 1, as the server refuses.
    static func refusal(_ message: String) -> Answer {
        let encoded = String(decoding: try! JSONEncoder().encode(["error": message]), as: UTF8.self)
        return .prints(encoded, status: 1)
    }

    /// An `ls` answer with one VM.
    static func list(_ name: String, tags: [String] = []) -> Answer {
        let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
        return .prints(
            #"{"vms":[{"vm_name":"\#(name)","status":"running","image":"registry.test/app:1","tags":[\#(tagList)],"https_url":"https://\#(name).exe.xyz","comment":""}]}"#)
    }

    static let emptyList = Answer.prints(#"{"vms":[]}"#)
}
