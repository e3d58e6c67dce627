public import ExeSystem
public import Foundation

extension DeployConfigurationFile {
    /// The app's directory: the nearest directory from `directory` up to
    /// the git work tree's top that has `exe.deploy.yaml` (so apps in a
    /// monorepo deploy from their own directory), else the work tree's top.
    public static func appRoot(
        from directory: String = FileManager.default.currentDirectoryPath, runner: any ProcessRunner = LocalProcessRunner()
    ) async -> String {
        let top = await GitWorkTree.top(from: directory, runner: runner)
        var current = directory
        while current.hasPrefix(top) {
            if FileManager.default.fileExists(atPath: current + "/" + fileName) { return current }
            if current == top { break }
            current = (current as NSString).deletingLastPathComponent
        }
        return top
    }
}
