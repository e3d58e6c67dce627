public import Foundation

/// The repository a command works in: the git work tree's top directory,
/// or the directory itself outside one. Lease claims are bound to it and
/// `exe.deploy.yaml` is looked for below it.
public enum GitWorkTree {
    /// The top of the git work tree containing `directory` (the current
    /// directory by default), or `directory` itself when it is in none (or
    /// git is missing).
    public static func top(from directory: String = FileManager.default.currentDirectoryPath, runner: any ProcessRunner = LocalProcessRunner()) async -> String {
        if let output = try? await runner.run(ProcessInvocation("git", ["rev-parse", "--show-toplevel"], workingDirectory: directory, timeout: .seconds(10))),
            output.status == 0
        {
            let top = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if !top.isEmpty { return top }
        }
        return directory
    }
}
