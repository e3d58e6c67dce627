@testable import ExeLease
import Testing

@Suite("Sync ignore rules")
struct SyncIgnoreRulesTests {
    @Test("built-in excludes skip untracked build output but never tracked files")
    func builtIns() {
        let rules = SyncIgnoreRules()
        #expect(rules.excludes("node_modules/left-pad/index.js"))
        #expect(rules.excludes("app/.build/debug/app"))
        #expect(rules.excludes(".git/config"))
        #expect(!rules.excludes("node_modules/left-pad/index.js", tracked: true))
        #expect(!rules.excludes("Sources/main.swift"))
    }

    @Test("outside git, well-known secrets are excluded; a ! rule in .exeignore brings one back; in git they are not special")
    func secrets() {
        var rules = SyncIgnoreRules(exeignore: "!deploy.pem\n")
        #expect(!rules.excludes(".ssh/id_ed25519") && !rules.excludes(".env"), "only outside a git work tree")
        rules.excludesSecrets = true
        for path in [".ssh/id_ed25519", ".aws/credentials", ".env", ".env.production", "certs/server.pem", "tls.key", "id_rsa", ".netrc"] {
            #expect(rules.excludes(path), "\(path)")
        }
        for path in ["Sources/main.swift", "environment.md", "keys.txt", "id_rsa.pub", "deploy.pem"] {
            #expect(!rules.excludes(path), "\(path)")
        }
    }

    @Test(".exeignore: globs, anchoring, directories, negation, **")
    func userRules() {
        let rules = SyncIgnoreRules(exeignore: """
            # comment
            *.log
            /secrets.env
            build/
            docs/**/draft-*.md
            !keep.log
            """)
        #expect(rules.excludes("server.log"))
        #expect(rules.excludes("deep/nested/server.log"))
        #expect(!rules.excludes("keep.log"))
        #expect(rules.excludes("secrets.env"))
        #expect(!rules.excludes("config/secrets.env"))
        #expect(rules.excludes("build/out.o"))
        #expect(rules.excludes("sub/build/out.o"))
        #expect(!rules.excludes("build"))  // a file named build is not the directory
        #expect(rules.excludes("docs/draft-1.md"))
        #expect(rules.excludes("docs/a/b/draft-2.md"))
        #expect(!rules.excludes("docs/a/final.md"))
        #expect(rules.excludes("tracked.log", tracked: true), "the user's own rules apply to tracked files")
    }
}

@Suite("Sync plan")
struct SyncPlanTests {
    func file(_ path: String, size: Int64 = 10, mtime: Int64 = 1, mode: UInt32 = 0o644) -> WorkTreeFile {
        WorkTreeFile(path: path, kind: .regular, size: size, modificationTime: mtime, mode: mode, tracked: true)
    }
    func entry(_ path: String, size: Int64 = 10, mtime: Int64 = 1, digest: String = "d") -> SyncManifest.Entry {
        SyncManifest.Entry(path: path, kind: .regular, mode: 0o644, size: size, modificationTime: mtime, digest: digest)
    }

    @Test("unchanged, changed, touched, new, deleted and dirty files")
    func plan() throws {
        let previous = SyncManifest([
            entry("same"), entry("grown"), entry("touched", digest: "t"), entry("gone"), entry("dirty"), entry("modechange"),
        ])
        let local = [
            file("same"), file("grown", size: 11), file("touched", mtime: 2), file("new"), file("dirty"),
            file("modechange", mode: 0o755),
        ]
        var hashed: [String] = []
        let plan = try SyncPlan.make(local: local, previous: previous, dirty: ["dirty"], checksum: false) { file in
            hashed.append(file.path)
            return file.path == "touched" ? "t" : "other"
        }
        #expect(Set(plan.uploads.map(\.file.path)) == ["grown", "new", "dirty", "modechange"])
        #expect(plan.deletions == ["gone"])
        #expect(Set(plan.unchanged.map(\.path)) == ["same", "touched"])
        #expect(plan.unchanged.first { $0.path == "touched" }?.modificationTime == 2)
        #expect(hashed == ["touched"], "only size-equal, time-changed files are hashed")
    }

    @Test("--checksum hashes everything and catches same-size same-time edits")
    func checksum() throws {
        let previous = SyncManifest([entry("a", digest: "old")])
        let plan = try SyncPlan.make(local: [file("a")], previous: previous, dirty: [], checksum: true) { _ in "new" }
        #expect(plan.uploads.map(\.file.path) == ["a"])
    }
}
