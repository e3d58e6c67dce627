import CoreFoundation
public import ExeSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The files a sync considers: in a git repository, what
/// `git ls-files --cached --others --exclude-standard -z` lists (tracked
/// files plus untracked ones git does not ignore); elsewhere, a walk of the
/// directory. `.exeignore` and the built-in excludes then apply.
public struct WorkTreeListing: Sendable {
    /// The root directory.
    public var root: String
    /// The files, sorted by path.
    public var files: [WorkTreeFile]
    /// Whether the root is a git work tree.
    public var isGitRepository: Bool
    /// Files git tracks that the sync leaves out: excluded by `.exeignore`
    /// or the extra patterns, or not a regular file or symlink (a submodule,
    /// say). A tracked file deleted from the work tree is not listed here.
    public var skippedTracked: [String] = []
    /// Paths left out as well-known secrets (``SyncIgnoreRules/secretExcludes``;
    /// outside a git work tree only).
    public var skippedSecrets: [String] = []

    /// Lists the files under `root`.
    public static func list(root: String, rules: SyncIgnoreRules, runner: any ProcessRunner = LocalProcessRunner()) async throws -> WorkTreeListing {
        let git = try? await runner.run(ProcessInvocation("git", ["-C", root, "rev-parse", "--show-prefix"], timeout: .seconds(30)))
        if let git, git.status == 0 {
            let tracked = try await gitPaths(root: root, arguments: ["ls-files", "--cached", "-z"], runner: runner)
            let others = try await gitPaths(root: root, arguments: ["ls-files", "--others", "--exclude-standard", "-z"], runner: runner)
            let trackedSet = Set(tracked)
            var files: [WorkTreeFile] = []
            var directoryExcluded: [String: Bool] = [:]
            func excluded(_ path: String, tracked: Bool) -> Bool {
                guard let slash = path.lastIndex(of: "/") else {
                    return rules.decide(path, name: path, isDirectory: false, tracked: tracked)
                }
                let directory = String(path[..<slash])
                let key = (tracked ? "t:" : "u:") + directory
                let parent = directoryExcluded[key] ?? {
                    let value = rules.excludes(directory, isDirectory: true, tracked: tracked)
                    directoryExcluded[key] = value
                    return value
                }()
                return parent || rules.decide(path, name: String(path[path.index(after: slash)...]), isDirectory: false, tracked: tracked)
            }
            var skipped: [String] = []
            for path in Set(tracked + others) {
                let isTracked = trackedSet.contains(path)
                if excluded(path, tracked: isTracked) {
                    if isTracked { skipped.append(path) }
                    continue
                }
                guard let file = WorkTreeFile.stat(root: root, path: path, tracked: isTracked) else {
                    if isTracked, WorkTreeFile.exists(root: root, path: path) { skipped.append(path) }
                    continue
                }
                files.append(file)
            }
            files.sort { $0.path < $1.path }
            return WorkTreeListing(root: root, files: files, isGitRepository: true, skippedTracked: skipped.sorted())
        }
        var files: [WorkTreeFile] = []
        var secrets: [String] = []
        var walkRules = rules
        walkRules.excludesSecrets = true
        walk(root: root, relative: "", rules: walkRules, into: &files, secrets: &secrets)
        files.sort { $0.path < $1.path }
        var listing = WorkTreeListing(root: root, files: files, isGitRepository: false)
        listing.skippedSecrets = secrets.sorted()
        return listing
    }

    private static func gitPaths(root: String, arguments: [String], runner: any ProcessRunner) async throws -> [String] {
        let output = try await runner.check(ProcessInvocation("git", ["-C", root] + arguments, timeout: .seconds(120)))
        return output.standardOutput.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func walk(root: String, relative: String, rules: SyncIgnoreRules, into files: inout [WorkTreeFile], secrets: inout [String]) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = Glibc.stat()
            guard lstat(root + "/" + path, &info) == 0 else { continue }
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            if rules.decide(path, name: name, isDirectory: isDirectory, tracked: false) {
                if rules.excludesSecrets, SyncIgnoreRules.isSecret(name) { secrets.append(path) }
                continue
            }
            if isDirectory {
                walk(root: root, relative: path, rules: rules, into: &files, secrets: &secrets)
            } else if let file = WorkTreeFile.stat(root: root, path: path, tracked: false) {
                files.append(file)
            }
        }
    }
}
