import ExeLease
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
        #expect(defaults.idleAction == Setting(value: .pause, source: .defaults))
        #expect(defaults.pausedTTL == Setting(value: .seconds(86_400), source: .defaults))
        #expect(defaults.reuse == Setting(value: false, source: .defaults))

        try directory.write("repo/.exe.yaml", """
            version: 1
            lease:
              idleAction: stop
              pausedTTL: 2h
              reuse: true
            """)
        let file = try LeaseSettings.resolve(overrides: .init(), repositoryRoot: directory.file("repo"), environment: ["HOME": directory.path])
        #expect(file.idleAction == Setting(value: .stop, source: .repository))
        #expect(file.pausedTTL == Setting(value: .seconds(7200), source: .repository))
        #expect(file.reuse == Setting(value: true, source: .repository))

        let environment = try LeaseSettings.resolve(
            overrides: .init(), repositoryRoot: directory.file("repo"),
            environment: ["HOME": directory.path, "EXE_LEASE_IDLE_ACTION": "pause", "EXE_LEASE_REUSE": "0", "EXE_LEASE_PAUSED_TTL": "30m"])
        #expect(environment.idleAction == Setting(value: .pause, source: .environment))
        #expect(environment.reuse == Setting(value: false, source: .environment))
        #expect(environment.pausedTTL == Setting(value: .seconds(1800), source: .environment))

        var overrides = LeaseSettings.Overrides()
        overrides.reuse = true
        overrides.idleAction = .stop
        let flags = try LeaseSettings.resolve(overrides: overrides, repositoryRoot: nil, environment: ["HOME": directory.path, "EXE_LEASE_REUSE": "0"])
        #expect(flags.reuse == Setting(value: true, source: .flag))
        #expect(flags.idleAction == Setting(value: .stop, source: .flag))

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
            return try LeaseSettings.resolve(overrides: overrides, repositoryRoot: nil, environment: ["HOME": directory.path]).sizeKey
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
