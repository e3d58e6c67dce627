import ExeTestSupport
import Foundation
import Testing
@testable import exe_cli

/// Issue 15: what `vm exec` sends (the wrapped command line and the
/// interrupt script) is valid shell under `dash -n`, `bash -n` and
/// ShellCheck for hostile command lines, and the wrapper runs the command
/// line as it meant unwrapped.
@Suite struct RemoteProcessGroupSyntaxTests {
    @Test("vm exec's wrapper and interrupt script parse, and the wrapper means the command line", arguments: [
        "echo plain", "printf '%s\\n' \"it's\"", "echo $((6 * 7)) `echo tick`", "exit 3", "cd /tmp && ls -d .",
    ])
    func wrapperParsesAndMeansTheCommand(_ line: String) async throws {
        let group = RemoteProcessGroup(commandLine: line)
        let problems = try await ShellSyntax.problems([group.wrapped, group.interruptScript(graceSeconds: 2)])
        #expect(problems.isEmpty, "\(problems)")
        let direct = try run(line)
        let wrapped = try run(group.wrapped)
        #expect(wrapped.status == direct.status && wrapped.output == direct.output, "\(line): \(wrapped) vs \(direct)")
        #expect(!FileManager.default.fileExists(atPath: group.pidFile), "the pid file is removed on exit")
    }

    private func run(_ script: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
