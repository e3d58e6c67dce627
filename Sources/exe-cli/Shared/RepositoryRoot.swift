import ExeSystem
import Foundation

/// The repository a command works in: the git work tree's top directory,
/// or the current directory outside one. Lease claims are bound to it and
/// `exe.deploy.yaml` is read from it.
enum RepositoryRoot {
    static func find() async -> String {
        let current = FileManager.default.currentDirectoryPath
        if let output = try? await LocalProcessRunner().run(ProcessInvocation("git", ["rev-parse", "--show-toplevel"], workingDirectory: current, timeout: .seconds(10))),
            output.status == 0
        {
            let top = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if !top.isEmpty { return top }
        }
        return current
    }
}
