package import ExeSystem
import Foundation

/// Runs a program to completion from synchronous code (the control
/// command, the daemon's connection threads) by waiting on an injected
/// ``ProcessRunner``. Must not be called from a task of the cooperative
/// pool.
package struct SyncProcessRunner: Sendable {
    /// The runner that does the work.
    package let runner: any ProcessRunner

    /// Wraps `runner`.
    package init(runner: any ProcessRunner = LocalProcessRunner()) { self.runner = runner }

    private final class ResultBox: @unchecked Sendable {
        var result: Result<ProcessOutput, any Error>?
    }

    /// Runs `invocation` and returns its output whatever its status.
    package func run(_ invocation: ProcessInvocation) throws -> ProcessOutput {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let runner = self.runner
        Task.detached {
            do { box.result = .success(try await runner.run(invocation)) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    /// Runs `invocation` and throws unless it exits 0.
    @discardableResult
    package func check(_ invocation: ProcessInvocation) throws -> ProcessOutput {
        let output = try run(invocation)
        guard output.status == 0 else { throw ProcessRunnerError.failed(command: invocation.displayCommand, output: output) }
        return output
    }
}
