import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Which paths a sync leaves out: built-in excludes (`.git`, `node_modules`,
/// `.build`, ...) and the repository's `.exeignore` (gitignore syntax: `#`
/// comments, `!` negation, trailing `/` for directories, leading `/` to
/// anchor, `*`, `?`, `[...]` and `**/`).
///
/// Built-in excludes never drop a file git tracks (Crabbox dropped tracked
/// `dist/` and `target/` files silently); rules the user writes in
/// `.exeignore` apply to every file, because the user asked for them.
public struct SyncIgnoreRules: Sendable {
    struct Rule: Sendable {
        var pattern: String
        var negated: Bool
        var directoryOnly: Bool
        var anchored: Bool
        var isLiteral: Bool { !pattern.contains(where: { "*?[\\".contains($0) }) }
    }

    /// Directories and files left out by default.
    public static let builtInExcludes = [
        ".git", "node_modules", ".build", ".swiftpm", ".venv", "venv", "__pycache__", ".pytest_cache",
        ".mypy_cache", ".ruff_cache", ".tox", ".gradle", ".next", ".turbo", ".parcel-cache", ".cache",
        ".DS_Store", ".exe-sync",
    ]

    /// Names of well-known secrets (directories of credentials, key files,
    /// dotenv files) left out of a directory that is not a git work tree,
    /// where no `.gitignore` says what is private. A `!` rule in
    /// `.exeignore` brings one back.
    public static let secretExcludes = [
        ".ssh", ".aws", ".gnupg", ".docker", ".kube", ".azure", ".netrc", ".pgpass", ".git-credentials", ".env", ".env.*", "*.pem",
        "*.key", "*.p12", "*.pfx", "id_rsa", "id_dsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk",
    ]

    /// Whether `name` (one path component) is a well-known secret (``secretExcludes``).
    public static func isSecret(_ name: String) -> Bool {
        secretExcludes.contains { $0 == name || fnmatch($0, name, 0) == 0 }
    }

    /// Whether ``secretExcludes`` apply (outside a git work tree).
    public var excludesSecrets = false

    /// Built-in excludes are plain names, so a set lookup decides them.
    private let builtInNames: Set<String>
    private var user: [Rule]

    /// Rules from the built-in list plus `.exeignore` text (if any) plus extra patterns.
    public init(exeignore: String? = nil, extraPatterns: [String] = []) {
        builtInNames = Set(Self.builtInExcludes)
        user = ((exeignore ?? "").split(separator: "\n").map(String.init) + extraPatterns).compactMap { Self.parse($0) }
    }

    /// Loads `.exeignore` from `root` if it exists.
    public static func load(root: String, extraPatterns: [String] = []) -> SyncIgnoreRules {
        let text = try? String(contentsOfFile: root + "/.exeignore", encoding: .utf8)
        return SyncIgnoreRules(exeignore: text, extraPatterns: extraPatterns)
    }

    static func parse(_ line: String) -> Rule? {
        var text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.hasPrefix("#") { return nil }
        var negated = false
        if text.hasPrefix("!") {
            negated = true
            text.removeFirst()
        }
        if text.hasPrefix("\\") { text.removeFirst() }
        var directoryOnly = false
        while text.hasSuffix("/") {
            directoryOnly = true
            text.removeLast()
        }
        var anchored = text.contains("/")
        if text.hasPrefix("/") {
            text.removeFirst()
            anchored = true
        }
        if text.hasPrefix("**/") {
            text.removeFirst(3)
            anchored = text.contains("/")
        }
        guard !text.isEmpty else { return nil }
        return Rule(pattern: text, negated: negated, directoryOnly: directoryOnly, anchored: anchored)
    }

    /// Whether `path` (relative, `/`-separated) is left out.
    ///
    /// - Parameters:
    ///   - path: relative to the work tree's root, `/`-separated.
    ///   - isDirectory: `path` names a directory (for `dir/` rules).
    ///   - tracked: git tracks the file, so built-in excludes do not apply.
    public func excludes(_ path: String, isDirectory: Bool = false, tracked: Bool = false) -> Bool {
        let components = path.split(separator: "/").map(String.init)
        var prefix = ""
        for (index, component) in components.enumerated() {
            prefix = prefix.isEmpty ? component : prefix + "/" + component
            let isDirectory = index < components.count - 1 || isDirectory
            if decide(prefix, name: component, isDirectory: isDirectory, tracked: tracked) { return true }
        }
        return false
    }

    /// Whether the last component of `path` (named `name`) is excluded by
    /// itself, its parents aside.
    func decide(_ path: String, name: String, isDirectory: Bool, tracked: Bool) -> Bool {
        var excluded = !tracked && (builtInNames.contains(name) || (excludesSecrets && Self.isSecret(name)))
        for rule in user where matches(rule, path: path, name: name, isDirectory: isDirectory) { excluded = !rule.negated }
        return excluded
    }

    private func matches(_ rule: Rule, path: String, name: String, isDirectory: Bool) -> Bool {
        if rule.directoryOnly && !isDirectory { return false }
        if rule.isLiteral && !rule.anchored { return rule.pattern == name }
        if rule.anchored {
            return fnmatch(rule.pattern, path, FNM_PATHNAME) == 0
                || (rule.pattern.contains("**") && Self.matchesDoubleStar(rule.pattern, path))
        }
        return fnmatch(rule.pattern, name, 0) == 0
    }

    /// `a/**/b` matches `a/b`, `a/x/b`, `a/x/y/b`.
    private static func matchesDoubleStar(_ pattern: String, _ path: String) -> Bool {
        let parts = pattern.components(separatedBy: "**/")
        guard parts.count == 2 else { return fnmatch(pattern.replacingOccurrences(of: "**", with: "*"), path, 0) == 0 }
        let components = path.split(separator: "/").map(String.init)
        let headPattern = String(parts[0].dropLast())
        for split in 0...components.count {
            let head = components.prefix(split).joined(separator: "/")
            guard headPattern.isEmpty ? split == 0 : fnmatch(headPattern, head, FNM_PATHNAME) == 0 else { continue }
            for resume in split...components.count {
                let tail = components.dropFirst(resume).joined(separator: "/")
                if fnmatch(parts[1], tail, FNM_PATHNAME) == 0 { return true }
            }
        }
        return false
    }
}
