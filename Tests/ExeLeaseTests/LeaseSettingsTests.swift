import ExeLease
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Lease settings")
struct LeaseSettingsTests {
    @Test("flags > environment > repo file > user file > defaults, each with its source")
    func precedence() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("config/exe/config.yaml", """
            version: 1
            lease:
              image: user-image
              cpus: 4
              idleTimeout: 10m
              allowEnv: [CI, USER_VAR]
            """)
        try directory.write("repo/.exe.yaml", """
            version: 1
            lease:
              image: repo-image
              ttl: 2h
              sync:
                exclude: ["*.log"]
            """)
        let repoFile = directory.file("repo/.exe.yaml"), userFile = directory.file("config/exe/config.yaml")
        var overrides = LeaseSettings.Overrides()
        overrides.cpus = 8
        let settings = try LeaseSettings.resolve(
            overrides: overrides, repositoryRoot: directory.file("repo"),
            environment: ["HOME": directory.path, "XDG_CONFIG_HOME": directory.file("config"), "EXE_LEASE_MEMORY": "16GB"])
        #expect(settings.value.size.cpus == 8 && settings.source(of: "cpus") == .flag)
        #expect(settings.value.size.memory == "16GB" && settings.source(of: "memory") == .environment(variable: "EXE_LEASE_MEMORY"))
        #expect(settings.value.size.image == "repo-image" && settings.source(of: "image") == .file(path: repoFile))
        #expect(settings.value.ttl == .seconds(7200) && settings.source(of: "ttl") == .file(path: repoFile))
        #expect(settings.value.idleTimeout == .seconds(600) && settings.source(of: "idleTimeout") == .file(path: userFile))
        #expect(settings.value.allowEnv == ["CI", "USER_VAR"] && settings.source(of: "allowEnv") == .file(path: userFile))
        #expect(settings.value.syncExclude == ["*.log"])
        #expect(settings.value.workRoot == "/tmp/exe" && settings.source(of: "workRoot") == .defaults)
        #expect(settings.value.controlHost == "exe.dev" && settings.source(of: "controlHost") == .defaults)
        #expect(settings.files.count == 2)
        #expect(settings.rows.first { $0.name == "idleTimeout" }?.sourceText == "user file")
        #expect(settings.rows.first { $0.name == "ttl" }?.sourceText == "repo file")
    }

    @Test("a control host chosen only by the repository needs the user's confirmation")
    func repositoryControlHost() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("repo/.exe.yaml", "version: 1\nlease:\n  controlHost: evil.example:22\n")
        let environment = ["HOME": directory.path, "XDG_CONFIG_HOME": directory.file("config")]
        let error = #expect(throws: LeaseError.self) {
            try LeaseSettings.resolve(overrides: .init(), repositoryRoot: directory.file("repo"), environment: environment)
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("evil.example:22") == true)
        var trusted = LeaseSettings.Overrides()
        trusted.trustRepositoryControlHost = true
        #expect(try LeaseSettings.resolve(overrides: trusted, repositoryRoot: directory.file("repo"), environment: environment).value.controlHost == "evil.example:22")
        let confirmed = try LeaseSettings.resolve(
            overrides: .init(), repositoryRoot: directory.file("repo"), environment: environment.merging(["EXE_LEASE_TRUST_REPO_CONTROL_HOST": "1"]) { $1 })
        #expect(confirmed.source(of: "controlHost") == .file(path: directory.file("repo/.exe.yaml")))
        #expect(confirmed.rows.first { $0.name == "controlHost" }?.sourceText == "repo file")
        // The environment (like a flag) overrides the repository's choice.
        let fromEnvironment = try LeaseSettings.resolve(
            overrides: .init(), repositoryRoot: directory.file("repo"), environment: environment.merging(["EXE_CONTROL_HOST": "127.0.0.1:2222"]) { $1 })
        #expect(fromEnvironment.value.controlHost == "127.0.0.1:2222" && fromEnvironment.source(of: "controlHost") == .environment(variable: "EXE_CONTROL_HOST"))
    }

    @Test("bad files and values are reported with where they came from")
    func invalid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("repo/.exe.yaml", "version: 1\nlease:\n  idleTimeout: soon\n")
        let error = #expect(throws: LeaseError.self) {
            try LeaseSettings.resolve(overrides: .init(), repositoryRoot: directory.file("repo"), environment: ["HOME": directory.path])
        }
        #expect(error?.message.contains("idleTimeout") == true)
        try directory.write("repo/.exe.yaml", "version: 1\nlease:\n  imgae: typo\n")
        let typo = #expect(throws: LeaseError.self) {
            try LeaseSettings.resolve(overrides: .init(), repositoryRoot: directory.file("repo"), environment: ["HOME": directory.path])
        }
        #expect(typo?.message.contains("unknown setting lease.imgae") == true)
        try directory.write("repo/.exe.yaml", "version: 2\n")
        #expect(throws: LeaseError.self) {
            try LeaseSettings.resolve(overrides: .init(), repositoryRoot: directory.file("repo"), environment: ["HOME": directory.path])
        }
    }

    @Test("durations", arguments: [("45s", 45), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("90", 90)])
    func durations(text: String, seconds: Int) throws {
        #expect(try LeaseDuration.parse(text, setting: "x") == .seconds(seconds))
    }

    @Test("identities: ids, slugs and VM names that exe.dev accepts")
    func identities() {
        let id = LeaseIdentity.newID()
        #expect(LeaseIdentity.isID(id))
        #expect(!LeaseIdentity.isID("lease_XYZ"))
        #expect(LeaseIdentity.normalizeSlug("  My Feature/Branch #42 ") == "my-feature-branch-42")
        #expect(LeaseIdentity.normalizeSlug("123") == nil)
        #expect(LeaseIdentity.uniqueSlug("blue-otter", taken: ["blue-otter"]) != "blue-otter")
        let pattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
        for _ in 0..<200 {
            let id = LeaseIdentity.newID()
            let name = LeaseIdentity(id: id, slug: LeaseIdentity.defaultSlug(for: id)).vmName
            #expect((5...52).contains(name.count))
            #expect(name.wholeMatch(of: pattern) != nil)
            #expect(!(name.split(separator: "-").last!.allSatisfy { $0.isNumber }))
        }
        let long = LeaseIdentity(id: id, slug: LeaseIdentity.normalizeSlug(String(repeating: "abc", count: 40))!)
        #expect(long.vmName.count <= 52)
    }
}
