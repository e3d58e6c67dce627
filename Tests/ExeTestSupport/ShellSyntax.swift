public import ExeSystem
import Foundation

/// Checks shell scripts that exe sends to remote machines: each must parse
/// under `sh -n` (the local `/bin/sh`), `dash -n` (Debian's `/bin/sh`, what
/// exe.dev's VMs run commands with) and `bash -n`, and pass ShellCheck (`-s sh`, warnings and errors)
/// when it is installed (`scripts/install-deps` installs it).
public enum ShellSyntax {
    /// One script that failed a check.
    public struct Problem: CustomStringConvertible, Sendable {
        /// The checker that refused it (`sh -n`, `dash -n`, `bash -n`, `shellcheck`).
        public let checker: String
        /// The script.
        public let script: String
        /// What the checker said.
        public let message: String

        public var description: String { "\(checker) refused:\n\(script)\n--\n\(message)" }
    }

    /// ShellCheck codes not counted: SC2016 (`$` inside single quotes is
    /// the point of quoting a word for a remote shell) and SC1003.
    static let ignoredShellCheckCodes = "SC2016,SC1003"

    /// Whether ShellCheck is installed.
    public static var hasShellCheck: Bool { FileManager.default.isExecutableFile(atPath: shellCheck) }

    static let shellCheck = "/usr/bin/shellcheck"

    /// Every problem of the script resources `scripts` (their text, as it
    /// is embedded; empty when all pass).
    public static func problems(_ scripts: [ShellScript]) async throws -> [Problem] {
        try await problems(scripts.map(\.text))
    }

    /// Every problem of the command lines `commands` (empty when all pass).
    public static func problems(_ commands: [ShellCommand]) async throws -> [Problem] {
        try await problems(commands.map(\.commandLine))
    }

    /// Every problem of `scripts` (empty when all pass).
    public static func problems(_ scripts: [String]) async throws -> [Problem] {
        let directory = try TemporaryDirectory(prefix: "shell-syntax")
        defer { directory.remove() }
        let runner = LocalProcessRunner()
        var problems: [Problem] = []
        var files: [(String, String)] = []
        for (index, script) in Set(scripts).sorted().enumerated() {
            let path = directory.file("script-\(index).sh")
            try Data(("#!/bin/sh\n" + script + "\n").utf8).write(to: URL(fileURLWithPath: path))
            files.append((path, script))
        }
        for (path, script) in files {
            for shell in ["sh", "dash", "bash"] {
                let output = try await runner.run(ProcessInvocation("/bin/" + shell, ["-n", path], timeout: .seconds(20)))
                if output.status != 0 {
                    problems.append(Problem(checker: "\(shell) -n", script: script, message: output.stderr))
                }
            }
        }
        if hasShellCheck {
            for (path, script) in files {
                let output = try await runner.run(ProcessInvocation(
                    shellCheck, ["-s", "sh", "-S", "info", "-e", ignoredShellCheckCodes, "-f", "gcc", path], timeout: .seconds(60)))
                if output.status != 0 {
                    problems.append(Problem(checker: "shellcheck", script: script, message: output.stdout + output.stderr))
                }
            }
        }
        return problems
    }
}
