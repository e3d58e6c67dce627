import ExeSystem
import ExeTestSupport
import Foundation
import Testing
@testable import exe_cli

/// Issue 15: what `vm exec` sends is fixed script resources
/// (`Sources/exe-cli/Scripts/*.sh`) given the pid file and the command line
/// as positional arguments. The scripts and the command lines that run them
/// are valid shell under `sh -n`, `dash -n`, `bash -n` and ShellCheck, the
/// wrapper runs the command line as it meant unwrapped, and the interrupt
/// stops the whole group.
@Suite struct RemoteProcessGroupSyntaxTests {
    @Test("every script resource is listed here, and each parses and passes ShellCheck as it is embedded")
    func resourcesParse() async throws {
        let scripts = ["interrupt.sh": RemoteProcessGroup.interruptScript, "process-group.sh": RemoteProcessGroup.wrapperScript]
        #expect(LocalShell.scriptResources(module: "exe-cli") == scripts.keys.sorted())
        let problems = try await ShellSyntax.problems(Array(scripts.values))
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n\n"))")
    }

    @Test("golden: the wrapper execs the login shell with the script, the pid file and the command line as one word each")
    func golden() {
        let group = RemoteProcessGroup(commandLine: "echo 'a b' $HOME", runID: "0123")
        #expect(group.wrapped == #"exec "${SHELL:-/bin/sh}" -c "# + ShellQuote.word(RemoteProcessGroup.wrapperScript.text)
            + #" exe-cli-run /tmp/exe-cli-run-0123.pid 'echo '\''a b'\'' $HOME'"#)
        #expect(group.interruptScript(graceSeconds: 2).commandLine
            == "sh -c " + ShellQuote.word(RemoteProcessGroup.interruptScript.text) + " exe-cli-interrupt /tmp/exe-cli-run-0123.pid 20")
    }

    @Test("vm exec's wrapper and interrupt script parse, and the wrapper means the command line", arguments: [
        "echo plain", "printf '%s\\n' \"it's\"", "echo $((6 * 7)) `echo tick`", "exit 3", "cd /tmp && ls -d .",
        "printf '[%s]' \"$#\" \"$1\"", "x='a\nb'; printf '%s' \"$x\" | wc -l", "printf '%s' '$(reboot)' -rf",
    ])
    func wrapperParsesAndMeansTheCommand(_ line: String) async throws {
        let group = RemoteProcessGroup(commandLine: line)
        let problems = try await ShellSyntax.problems([group.wrapped, group.interruptScript(graceSeconds: 2).commandLine])
        #expect(problems.isEmpty, "\(problems)")
        let direct = try run(line)
        let wrapped = try run(group.wrapped)
        #expect(wrapped.status == direct.status && wrapped.output == direct.output, "\(line): \(wrapped) vs \(direct)")
        #expect(!FileManager.default.fileExists(atPath: group.pidFile), "the pid file is removed on exit")
    }

    @Test("the interrupt script stops the wrapped command's whole process group and removes the pid file")
    func interruptStopsTheGroup() async throws {
        let group = RemoteProcessGroup(commandLine: "sleep 30 & sleep 30; wait")
        let started = ContinuousClock.now
        // setsid: the wrapper leads its own process group, as under sshd.
        let running = Task { try await LocalProcessRunner().run(ProcessInvocation("/usr/bin/setsid", ["-w", "/bin/sh", "-c", group.wrapped], timeout: .seconds(60))) }
        let interrupt = try await LocalShell.run(group.interruptScript(graceSeconds: 2))
        #expect(interrupt.status == 0, "\(interrupt)")
        let output = try await running.value
        #expect(output.status != 0 && ContinuousClock.now - started < .seconds(20), "interrupted: \(output)")
        #expect(!FileManager.default.fileExists(atPath: group.pidFile))
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
