import ExeSystem
import Foundation

/// The repository a command works in: the git work tree's top directory,
/// or the current directory outside one. Lease claims are bound to it and
/// `exe.deploy.yaml` is read from it.
enum RepositoryRoot {
    static func find() async -> String { await GitWorkTree.top() }
}
