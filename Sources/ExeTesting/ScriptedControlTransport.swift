public import ExeControl
import Foundation
import Synchronization

/// A control plane inside the test process: every command line is answered
/// by a closure (printed output and an exit status, or a thrown transport
/// error) and recorded, so a test can assert what was sent.
///
/// ```swift
/// let transport = ScriptedControlTransport { line in
///     line.hasPrefix("ls") ? .prints(#"{"vms":[]}"#) : .refusal("unexpected")
/// }
/// let client = transport.client
/// _ = try await client.list()
/// #expect(transport.commandLines == ["ls --json"])
/// ```
public final class ScriptedControlTransport: ControlTransport {
    /// What the scripted server does with one command line.
    public enum Answer: Sendable {
        /// Prints `output` and exits with `status`.
        case prints(String, status: Int32 = 0)
        /// Answers with `response` as it is.
        case response(ControlResponse)
        /// The transport fails (a timeout, a lost connection).
        case fails(ControlError)
    }

    /// Whether command lines get `--json` appended (as the SSH transport does).
    public let appendsJSONFlag: Bool
    private let answer: @Sendable (String) -> Answer
    private let sent = Mutex<[String]>([])

    /// A transport whose answers come from `answer`, called with each
    /// command line as it would be sent.
    public init(appendsJSONFlag: Bool = true, _ answer: @escaping @Sendable (String) -> Answer) {
        self.appendsJSONFlag = appendsJSONFlag
        self.answer = answer
    }

    /// A transport whose every command prints `output` and exits with `status`.
    public convenience init(output: String, status: Int32 = 0) {
        self.init { _ in .prints(output, status: status) }
    }

    /// The command lines sent, in order.
    public var commandLines: [String] { sent.withLock { $0 } }

    /// A client over this transport.
    public var client: ControlClient { ControlClient(transport: self) }

    /// Records the request's command line and answers it from the script.
    public func send(_ request: ControlRequest) async throws(ControlError) -> ControlResponse {
        let line = request.commandLine(appendingJSONFlag: appendsJSONFlag)
        sent.withLock { $0.append(line) }
        switch answer(line) {
        case .prints(let output, let status): return ControlResponse(output: Data(output.utf8), completion: .exitStatus(status))
        case .response(let response): return response
        case .fails(let error): throw error
        }
    }

    /// Does nothing: there is no connection to close.
    public func close() async {}

    /// `{"error": message}` with exit status 1, as the server refuses a command.
    public static func refusal(_ message: String) -> Answer {
        let encoded = (try? JSONEncoder().encode(["error": message])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return .prints(encoded, status: 1)
    }

    /// An `ls` answer with one running VM named `name`.
    public static func list(_ name: String, tags: [String] = []) -> Answer {
        let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
        return .prints(
            #"{"vms":[{"vm_name":"\#(name)","status":"running","image":"registry.test/app:1","tags":[\#(tagList)],"https_url":"https://\#(name).exe.xyz","comment":""}]}"#)
    }

    /// An `ls` answer with no VMs.
    public static let emptyList = Answer.prints(#"{"vms":[]}"#)
}
