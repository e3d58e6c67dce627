import ExeSystem
import Foundation
import Synchronization

/// A process runner that records every invocation and answers from a
/// script: the first rule whose program and first argument match wins.
final class RecordingProcessRunner: ProcessRunner {
    struct Rule {
        var executable: String
        var firstArgument: String?
        var output: ProcessOutput
        var sideEffect: (@Sendable (ProcessInvocation) -> Void)?
    }

    private let state = Mutex<[ProcessInvocation]>([])
    private let rules: [Rule]

    init(_ rules: [Rule]) { self.rules = rules }

    var invocations: [ProcessInvocation] { state.withLock { $0 } }

    func run(_ invocation: ProcessInvocation) async throws -> ProcessOutput {
        state.withLock { $0.append(invocation) }
        for rule in rules where rule.executable == invocation.executable {
            let first = invocation.arguments.first { !$0.hasPrefix("-") && !["vfs"].contains($0) }
            if rule.firstArgument == nil || rule.firstArgument == first {
                rule.sideEffect?(invocation)
                return rule.output
            }
        }
        return ProcessOutput(status: 127, standardOutput: Data(), standardError: Data("not scripted: \(invocation.displayCommand)".utf8))
    }

    static func ok(_ stdout: String = "") -> ProcessOutput {
        ProcessOutput(status: 0, standardOutput: Data(stdout.utf8), standardError: Data())
    }
}
