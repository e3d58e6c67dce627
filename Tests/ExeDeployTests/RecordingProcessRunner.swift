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

    /// A side effect that writes `contents` to the file named after `flag`
    /// (a builder's digest or metadata file).
    static func writes(_ contents: String, toFileAfter flag: String) -> @Sendable (ProcessInvocation) -> Void {
        { invocation in
            if let index = invocation.arguments.firstIndex(of: flag), index + 1 < invocation.arguments.count {
                try? Data(contents.utf8).write(to: URL(fileURLWithPath: invocation.arguments[index + 1]))
            }
        }
    }

    static func ok(_ stdout: String = "") -> ProcessOutput {
        ProcessOutput(status: 0, standardOutput: Data(stdout.utf8), standardError: Data())
    }
}
