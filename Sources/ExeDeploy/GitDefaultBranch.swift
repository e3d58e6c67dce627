import Foundation

/// The branch a generated workflow deploys from, read from the repository's
/// git files at `deploy init` time (no `git` process): the remote's default
/// branch (`refs/remotes/origin/HEAD`), else the branch checked out, else
/// `main`. Works in linked worktrees (`.git` file, `commondir`).
enum GitDefaultBranch {
    /// The branch for the repository containing `directory`.
    static func detect(in directory: String) -> String {
        guard let gitDirectory = gitDirectory(containing: directory) else { return "main" }
        let common = commonDirectory(of: gitDirectory)
        if let remote = symbolicReference(at: common + "/refs/remotes/origin/HEAD", prefix: "refs/remotes/origin/") {
            return remote
        }
        if let current = symbolicReference(at: gitDirectory + "/HEAD", prefix: "refs/heads/") { return current }
        return "main"
    }

    /// The `.git` directory of `directory` or its nearest parent that has one.
    static func gitDirectory(containing directory: String) -> String? {
        var current = (directory as NSString).standardizingPath
        while true {
            let candidate = current + "/.git"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                if isDirectory.boolValue { return candidate }
                guard let text = try? String(contentsOfFile: candidate, encoding: .utf8),
                    let line = text.split(whereSeparator: \.isNewline).first, line.hasPrefix("gitdir:")
                else { return nil }
                let path = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
                return path.hasPrefix("/") ? path : (current as NSString).appendingPathComponent(path)
            }
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { return nil }
            current = parent
        }
    }

    private static func commonDirectory(of gitDirectory: String) -> String {
        guard let text = try? String(contentsOfFile: gitDirectory + "/commondir", encoding: .utf8) else { return gitDirectory }
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.hasPrefix("/") ? path : (gitDirectory as NSString).appendingPathComponent(path)
    }

    /// `ref: <prefix><name>` in `file` → `name`.
    private static func symbolicReference(at file: String, prefix: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("ref: " + prefix) else { return nil }
        let name = String(line.dropFirst(("ref: " + prefix).count))
        return name.isEmpty ? nil : name
    }
}
