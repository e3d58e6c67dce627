import ExeLease
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

@Suite("Lease settings of pause and reuse")
struct LeaseLifeSettingsTests {
    @Test("idleAction, pausedTTL and reuse: defaults pause / 24h / false; files, environment and flags set them; bad values name the setting")
    func settings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let defaults = try LeaseSettings.resolve(overrides: .init(), repositoryRoot: nil, environment: ["HOME": directory.path])
        #expect(defaults.value.idleAction == .pause && defaults.source(of: "idleAction") == .defaults)
        #expect(defaults.value.pausedTTL == .seconds(86_400) && defaults.source(of: "pausedTTL") == .defaults)
        #expect(defaults.value.reuse == false && defaults.source(of: "reuse") == .defaults)

        try directory.write("repo/.exe.yaml", """
            version: 1
            lease:
              idleAction: stop
              pausedTTL: 2h
              reuse: true
            """)
        let repoFile = directory.file("repo/.exe.yaml")
        let file = try LeaseSettings.resolve(overrides: .init(), repositoryRoot: directory.file("repo"), environment: ["HOME": directory.path])
        #expect(file.value.idleAction == .stop && file.source(of: "idleAction") == .file(path: repoFile))
        #expect(file.value.pausedTTL == .seconds(7200) && file.source(of: "pausedTTL") == .file(path: repoFile))
        #expect(file.value.reuse == true && file.source(of: "reuse") == .file(path: repoFile))

        let environment = try LeaseSettings.resolve(
            overrides: .init(), repositoryRoot: directory.file("repo"),
            environment: ["HOME": directory.path, "EXE_LEASE_IDLE_ACTION": "pause", "EXE_LEASE_REUSE": "0", "EXE_LEASE_PAUSED_TTL": "30m"])
        #expect(environment.value.idleAction == .pause && environment.source(of: "idleAction") == .environment(variable: "EXE_LEASE_IDLE_ACTION"))
        #expect(environment.value.reuse == false && environment.source(of: "reuse") == .environment(variable: "EXE_LEASE_REUSE"))
        #expect(environment.value.pausedTTL == .seconds(1800) && environment.source(of: "pausedTTL") == .environment(variable: "EXE_LEASE_PAUSED_TTL"))

        var overrides = LeaseSettings.Overrides()
        overrides.reuse = true
        overrides.idleAction = .stop
        let flags = try LeaseSettings.resolve(overrides: overrides, repositoryRoot: nil, environment: ["HOME": directory.path, "EXE_LEASE_REUSE": "0"])
        #expect(flags.value.reuse == true && flags.source(of: "reuse") == .flag)
        #expect(flags.value.idleAction == .stop && flags.source(of: "idleAction") == .flag)

        let bad = #expect(throws: LeaseError.self) {
            try LeaseSettings.resolve(overrides: .init(), repositoryRoot: nil, environment: ["HOME": directory.path, "EXE_LEASE_IDLE_ACTION": "nap"])
        }
        #expect(bad?.message.contains("EXE_LEASE_IDLE_ACTION") == true)
    }

    @Test("the size key differs when any size setting differs, and leases made with other settings are not reused")
    func sizeKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func key(_ change: (inout LeaseSettings.Overrides) -> Void) throws -> String {
            var overrides = LeaseSettings.Overrides()
            change(&overrides)
            return try LeaseSettings.resolve(overrides: overrides, repositoryRoot: nil, environment: ["HOME": directory.path]).value.sizeKey
        }
        let base = try key { _ in }
        let keys = [
            try key { $0.cpus = 4 }, try key { $0.memory = "8GB" }, try key { $0.disk = "20GB" }, try key { $0.image = "ubuntu" },
            try key { $0.command = "none" }, try key { $0.image = "a|" }, try key { $0.memory = "|a" },
        ]
        #expect(Set(keys + [base]).count == keys.count + 1)
        #expect(try key { $0.ttl = .seconds(60) } == base, "the TTL is not a size setting")
    }

    @Test("artifact paths must stay inside the work directory")
    func artifactPaths() throws {
        for good in ["out", "test-results/*.xml", "a/b/c", "./logs"] { try ArtifactRequest.validate(good) }
        for bad in ["", "/etc/passwd", "../x", "a/../../b", "~/x", "a\nb"] {
            #expect(throws: LeaseError.self, "\(bad)") { try ArtifactRequest.validate(bad) }
        }
    }
}

extension LeaseLifeSettingsTests {
    @Test("settings made in code equal the resolved defaults; the size key comes from the size settings alone")
    func madeInCode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let resolved = try LeaseSettings.resolve(overrides: .init(), repositoryRoot: nil, environment: ["HOME": directory.path])
        #expect(LeaseSettings() == resolved.value)
        #expect(resolved.rows.allSatisfy { $0.source == .defaults && $0.sourceText == "default" })
        #expect(resolved.files.isEmpty)
        var overrides = LeaseSettings.Overrides()
        overrides.cpus = 4
        overrides.memory = "8GB"
        overrides.ttl = .seconds(600)
        let sized = try LeaseSettings.resolve(overrides: overrides, repositoryRoot: nil, environment: ["HOME": directory.path]).value
        let made = LeaseSettings(size: LeaseVMSize(cpus: 4, memory: "8GB"), ttl: .seconds(600))
        #expect(made == sized && made.sizeKey == sized.sizeKey && made.sizeKey != LeaseSettings().sizeKey)
        #expect(throws: LeaseError.self) { try LeaseSettings(ttl: .zero).validate() }
    }
}
