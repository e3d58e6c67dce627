public import ExeSystem
public import Foundation

/// Runs remote command lines and script resources with the local `/bin/sh`
/// (dash on Debian, as on exe.dev's VMs), so a test sees what a VM's shell
/// would do with them.
public enum LocalShell {
    /// Runs `command`'s command line as sshd would: `/bin/sh -c <line>`.
    public static func run(_ command: ShellCommand, stdin: Data? = nil, timeout: Duration = .seconds(60)) async throws -> ProcessOutput {
        try await LocalProcessRunner().run(ProcessInvocation("/bin/sh", ["-c", command.commandLine], standardInput: stdin, timeout: timeout))
    }

    /// The `.sh` files under `Sources/<module>/Scripts` (file names, sorted):
    /// the resources a module declares, so a test can check it covers them all.
    public static func scriptResources(module: String, filePath: String = #filePath) -> [String] {
        var root = URL(fileURLWithPath: filePath)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        let directory = root.appendingPathComponent("Sources/\(module)/Scripts").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".sh") }.sorted()
    }
}
