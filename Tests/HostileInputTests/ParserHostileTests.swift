@testable import ExeDeploy
@testable import ExeLease
@testable import ExeSSH
@testable import ExeSim
import ExeSystem
import ExeTestSupport
import ExeYAML
import Foundation
import Testing

/// Issue 19, finding 3: durations (Sources/ExeSystem/DurationText.swift)
/// overflowed and trapped; now checked and capped at 36500 days.
@Suite struct DurationHostileTests {
    @Test(arguments: [
        "106751991167302d", "9223372036854775807s1s", "9223372036854775807", "99999999999999999999s", "36501d", "36500d1s",
        "153722867280912931m", "2562047788015215h", "1d1d1d" + String(repeating: "9", count: 30) + "s",
    ])
    func overflowingDurationsAreInvalid(_ text: String) {
        #expect(DurationText.parse(text) == nil, "\(text)")
    }

    @Test func durationsUpToTheMaximumParse() {
        #expect(DurationText.parse("36500d") == .seconds(36500 * 86400))
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse(" 90 ") == .seconds(90))
        #expect(DurationText.parse("0s") == nil)
        #expect(DurationText.parse("1h30") == nil)
        #expect(DurationText.parse("٣s") == nil)
        #expect(DurationText.format(.seconds(-5)) == "0s")
    }

    /// The places the issue names: `--ttl` and `EXE_LEASE_IDLE_TIMEOUT` go
    /// through LeaseDuration, `health.timeout` through DeployConfigurationFile.
    @Test func settingsReportOverflowAsAnError() throws {
        #expect(throws: LeaseError.self) { try LeaseDuration.parse("106751991167302d", setting: "--ttl") }
        #expect(throws: LeaseError.self) { try LeaseDuration.parse("9223372036854775807s1s", setting: "EXE_LEASE_IDLE_TIMEOUT") }
        #expect(throws: LeaseError.self) { try LeaseFile.parse("lease:\n  ttl: 106751991167302d\n", path: ".exe.yaml") }
        #expect(throws: DeployError.self) {
            try DeployConfigurationFile.parse("version: 1\nhealth:\n  timeout: 106751991167302d\n", file: "exe.deploy.yaml")
        }
    }
}

/// Issue 19, finding 4: the sync manifest from the VM (Sources/ExeLease/SyncManifest.swift).
@Suite struct SyncManifestHostileTests {
    let digest = String(repeating: "a", count: 64)

    func decode(_ record: String) throws -> SyncManifest {
        try SyncManifest.decode(Data("exe-sync-manifest 1\n\(record)\0".utf8))
    }

    @Test(arguments: [
        "f 644 99999999999999999999 0 D a", "f 77777777777 1 0 D a", "f 644 9223372036854775808 0 D a", "f 644 1 99999999999999999999 D a",
        "f 644 -1 0 D a", "f 8 1 0 D a",
    ])
    func overflowingNumbersAreMalformed(_ record: String) {
        #expect(throws: LeaseError.self) { try decode(record.replacingOccurrences(of: "D", with: digest)) }
    }

    @Test func largestValuesStillDecode() throws {
        let manifest = try decode("f 37777777777 9223372036854775807 9223372036854775807 \(digest) a")
        #expect(manifest["a"]?.mode == UInt32.max)
        #expect(manifest["a"]?.size == Int64.max)
        #expect(try SyncManifest.decode(manifest.encoded()) == manifest)
    }
}

/// Issue 19, finding 5: YAML from a repository (Sources/ExeYAML/BoundedYAML.swift).
@Suite struct YAMLHostileTests {
    static let complexKey = "? [a]\n: b\n"
    /// 9 levels of 9 aliases: 9^9 (387 million) strings when expanded.
    static let billionLaughs: String = {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\nlease:\n  ttl: *a9\nversion: 1\n"
    }()

    @Test func complexMappingKeyIsAnError() {
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(Self.complexKey) }
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load("a:\n  ? {x: y}\n  : z\n") }
        #expect(throws: DeployError.self) { try DeployConfigurationFile.parse(Self.complexKey, file: "exe.deploy.yaml") }
        #expect(throws: LeaseError.self) { try LeaseFile.parse(Self.complexKey, path: ".exe.yaml") }
        #expect(throws: ComposeFile.Problem.self) { try ComposeFile.parse("services:\n  " + Self.complexKey.replacingOccurrences(of: "\n", with: "\n  ")) }
        #expect(throws: DeployError.self) { try ComposeFileRenderer.containers(in: Self.complexKey, project: "p") }
    }

    @Test(.timeLimit(.minutes(1))) func aliasBombIsAnErrorInBoundedTime() {
        let started = ContinuousClock.now
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(Self.billionLaughs) }
        #expect(throws: LeaseError.self) { try LeaseFile.parse(Self.billionLaughs, path: ".exe.yaml") }
        #expect(throws: DeployError.self) { try DeployConfigurationFile.parse(Self.billionLaughs, file: "exe.deploy.yaml") }
        #expect(throws: ComposeFile.Problem.self) { try ComposeFile.parse(Self.billionLaughs) }
        #expect(started.duration(to: .now) < .seconds(20))
    }

    /// `Yams.load` traps on a sexagesimal integer that overflows; here it stays text.
    @Test func overflowingSexagesimalIsText() throws {
        let text = "1:2:3:4:5:6:7:8:9:10:11:12:13"
        let value = try BoundedYAML.load("n: \(text)\n") as? [String: Any]
        #expect(value?["n"] as? String == text)
        #expect(throws: LeaseError.self) { try LeaseFile.parse("lease:\n  ttl: \(text)\n", path: ".exe.yaml") }
    }

    /// Deep nesting is refused quickly: libyaml's scanner is quadratic in
    /// flow depth (400,000 `[` did not finish in 10 minutes) and Yams
    /// composes recursively.
    @Test(.timeLimit(.minutes(1))) func deepNestingIsAnErrorNotAStackOverflow() {
        let started = ContinuousClock.now
        let depth = 400_000
        let flow = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(flow) }
        let compact = String(repeating: "- ", count: 300_000) + "x\n"
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(compact) }
        // Quoted closers hide real depth from the scan; the opener limit
        // still bounds it, and the conversion refuses it.
        let hidden = String(repeating: "[ \"]\", ", count: 1500) + String(repeating: "]", count: 1500)
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(hidden) }
        #expect(started.duration(to: .now) < .seconds(20))
        let block = (0..<200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " v\n"
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(block) }
    }

    @Test func documentOverTheSizeLimitIsAnError() {
        let big = "a: \"" + String(repeating: "x", count: 1 << 20) + "\"\n"
        #expect(throws: BoundedYAML.Failure.self) { try BoundedYAML.load(big) }
    }

    /// Issue 12: a repeated key is an error naming both lines, as Go's
    /// yaml.v3 (which Compose reads files with) reports it; merged keys and
    /// the same key in different mappings are not repeats.
    @Test func repeatedKeyIsAnErrorNamingBothLines() throws {
        let text = "app: one\nimage:\n  repository: r\napp: two\n"
        do {
            _ = try BoundedYAML.load(text)
            Issue.record("a repeated key loaded")
        } catch {
            #expect(error.description.contains("\"app\" appears twice"), "\(error)")
            #expect(error.description.contains("line 4") && error.description.contains("line 1"), "\(error)")
        }
        let nested = try #require(try BoundedYAML.load("a:\n  name: x\nb:\n  name: y\n") as? [String: Any])
        #expect((nested["b"] as? [String: Any])?["name"] as? String == "y")
    }

    @Test func ordinaryDocumentsLoadAsYamsLoadDid() throws {
        let value = try #require(try BoundedYAML.load("""
            base: &base
              image: nginx
              port: 8080
            web:
              <<: *base
              port: 9090
            list: [1, 0x10, 0o17, 2.5, true, ~, "7", 99999999999999999999]
            80: eighty
            """) as? [String: Any])
        let web = try #require(value["web"] as? [String: Any])
        #expect(web["image"] as? String == "nginx")
        #expect(web["port"] as? Int == 9090)
        let list = try #require(value["list"] as? [Any])
        #expect(list[0] as? Int == 1)
        #expect(list[1] as? Int == 16)
        #expect(list[2] as? Int == 15)
        #expect(list[3] as? Double == 2.5)
        #expect(list[4] as? Bool == true)
        #expect(list[5] is NSNull)
        #expect(list[6] as? String == "7")
        #expect(list[7] as? String == "99999999999999999999")
        #expect(value["80"] as? String == "eighty")
        #expect(try BoundedYAML.load("") == nil)
    }
}

/// Issue 19, finding 6: `ssh-key generate-api-key --exp` in exe-sim follows
/// the server's parseDuration (execore/ssh_key_generate_api_key.go): Go's
/// time.Duration multiplication wraps, and a result that is not positive
/// sets no expiry; a count out of int64 range is refused by Sscanf.
@Suite struct APIKeyExpiryHostileTests {
    @Test func wrappingDurationSetsNoExpiryAsTheServerDoes() throws {
        // (2^63 - 1) * 365 days in ns wraps to -(365 days in ns): not positive.
        #expect(try APIToken.expiry("9223372036854775807y").get() == nil)
        // 300 years is past time.Duration's 292: wraps negative too.
        #expect(try APIToken.expiry("300y").get() == nil)
    }

    @Test func largestDurationThatFitsIsKept() throws {
        let interval = try #require(try APIToken.expiry("106751d").get())
        #expect(interval == 106_751 * 86400)
        #expect(try APIToken.expiry("30d").get() == 30 * 86400)
        #expect(try APIToken.expiry(" 12H ").get() == 12 * 3600)
        #expect(try APIToken.expiry("+3w").get() == 21 * 86400)
    }

    @Test(arguments: ["99999999999999999999y", "-5d", "0d", "d", "1", "xd", "5x", "soon"])
    func invalidExpiriesAreRefused(_ text: String) {
        #expect(throws: CommandFailure.self) { try APIToken.expiry(text).get() }
    }
}

/// Issue 19, finding 7: a 100 MB `~/.ssh/config` or `known_hosts` is not read whole.
@Suite struct SSHFileHostileTests {
    @Test func hugeKnownHostsIsAnErrorNotAMinuteOfParsing() throws {
        let directory = try TemporaryDirectory(prefix: "hostile-known-hosts")
        defer { directory.remove() }
        let path = directory.file("known_hosts")
        let line = Data("host.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk0jMJW9L3FzNLeGLtm4aXZ0qG1xH4d6sCT4OCs0t9k\n".utf8)
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0, count: 0))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let block = Data((0..<1000).flatMap { _ in line })
        for _ in 0..<((KnownHostsFile.sizeLimit / block.count) + 2) { handle.write(block) }
        try handle.close()
        let started = ContinuousClock.now
        let file = KnownHostsFile.load(path: path)
        #expect(file.tooLarge)
        #expect(file.entries.isEmpty)
        #expect(started.duration(to: .now) < .seconds(2))
        let verifier = HostKeyVerifier(policy: .strict, readFiles: [path], writeFile: nil, warn: { _ in })
        let key = HostKey(type: "ssh-ed25519", blob: Data(repeating: 1, count: 51))
        #expect(throws: SSHError.self) { try verifier.verify(key, for: SSHDestination(host: "host.example", port: 22, user: "u")) }
    }

    @Test func hugeSSHConfigIsSkipped() throws {
        let directory = try TemporaryDirectory(prefix: "hostile-ssh-config")
        defer { directory.remove() }
        let path = directory.file("config")
        let text = "Host exe.dev\n  Port 2222\n" + String(repeating: "# padding padding padding padding\n", count: (SSHConfigFile.sizeLimit / 34) + 10)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let started = ContinuousClock.now
        let settings = SSHConfigFile.load(path: path).settings(for: "exe.dev")
        #expect(settings.port == nil)
        #expect(started.duration(to: .now) < .seconds(2))
        // An empty file is a file, not a missing one.
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(BoundedFile.read(path, limit: 10) == .data(Data()))
        #expect(BoundedFile.read(directory.file("absent"), limit: 10) == .missing)
        // A file under the limit is read.
        _ = FileManager.default.createFile(atPath: path, contents: Data("Host exe.dev\n  Port 2222\n".utf8))
        #expect(SSHConfigFile.load(path: path).settings(for: "exe.dev").port == 2222)
    }
}
