import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites.ConformanceTests {
    // execore/ssh_command_handlers.go handleWhoamiCommand: a Go map (keys
    // sorted) holding sshKeyRow structs (field order), the caller's key
    // first; a tag-scoped key sees only keys of its own tag; the text form's
    // "Email Address:" / "Region:" / "SSH Keys:" / "Public Key:" lines.
    @Test func whoamiFollowsItsHandler() async throws {
        let sim = try sim
        let harness = sim.harness
        let json = try await sim.control("whoami --json")
        #expect(try Self.topLevelKeys(json.stdout) == ["email", "region", "region_display", "ssh_keys"], "\(json.stdout)")
        let firstKey = try #require(json.stdout.range(of: #""ssh_keys":[{"#))
        #expect(json.stdout[firstKey.upperBound...].hasPrefix(#""public_key":"#), "\(json.stdout)")
        #expect(json.stdout.contains(#","current":true}"#), "\(json.stdout)")
        let text = try await sim.control("whoami")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Email Address: ") == true, "\(text.stdout)")
        #expect(lines.count > 3 && lines[2] == "SSH Keys:" && lines[3].hasPrefix("  Public Key: ssh-") && lines[3].hasSuffix(" ← current"), "\(text.stdout)")

        let scoped = try await harness.ssh("ssh-key generate-api-key --json --label=who-tagged --tag=whotag --cmds=whoami", key: sim.key)
        let token = Secret(try #require((try JSONSerialization.jsonObject(with: scoped.standardOutput) as? [String: Any])?["token"] as? String))
        _ = try await harness.ssh("ssh-key generate-api-key --json --label=who-untagged", key: sim.key)
        let seen = try await harness.exec("whoami", token: token)
        #expect(seen.status == 200, "\(seen.body)")
        let names = ((try JSONSerialization.jsonObject(with: Data(seen.body.utf8)) as? [String: Any])?["ssh_keys"] as? [[String: Any]] ?? [])
            .compactMap { $0["name"] as? String }
        #expect(names == ["who-tagged"], "a tag-scoped key sees only its tag's keys: \(names)")
        for name in ["who-tagged", "who-untagged"] { _ = try await sim.control("ssh-key remove \(name)") }
    }

    // execore/ssh_set_region_command.go with region/region.go AvailableFor:
    // the code is lowercased and must be an active region that is not gated
    // (pdx and iad are, unless already the account's), with the usage and
    // "not available; choose from" texts listing the codes in table order.
    @Test func setRegionOffersOnlyAvailableRegions() async throws {
        let sim = try sim
        _ = try await sim.json("set-region lax --json")
        let codes = "lax, nyc, dal, fra, tyo, syd, sgp, lon"
        let gated = try await sim.control("set-region pdx")
        #expect(gated.status == 255 && gated.stdout == "region \"pdx\" is not available; choose from: \(codes)\n", "\(gated.stdout)")
        let unknown = try await sim.control("set-region MARS")
        #expect(unknown.stdout == "region \"mars\" is not available; choose from: \(codes)\n", "\(unknown.stdout)")
        let usage = try await sim.control("set-region")
        #expect(usage.stdout == "usage: set-region <region-code>\navailable: \(codes)\n", "\(usage.stdout)")
        let upper = try await sim.control("set-region FRA --json")
        #expect(upper.stdout == #"{"region":"fra","region_display":"Frankfurt, Germany"}"# + "\n", "\(upper.stdout)")
        #expect(try await sim.control("set-region lax").stdout == "Region set to lax (Los Angeles, USA)\n")
    }

    // execore/ssh_comment_command.go handleCommentCommand: a Go map (keys
    // sorted) and %q texts. execore/ssh_stat_command.go: only a missing
    // name is a usage error, the range words are exact, statJSON's field
    // order. NewCommandTree (execore/ssh_command_handlers.go): stat is hidden.
    @Test func commentAndStatFollowTheirHandlers() async throws {
        let sim = try sim
        _ = try await sim.newVM("note-vm")
        let json = try await sim.control("comment note-vm staging copy --json")
        #expect(json.stdout == #"{"comment":"staging copy","vm_name":"note-vm"}"# + "\n", "\(json.stdout)")
        #expect(try await sim.control("comment note-vm staging copy").stdout == "Set comment for \"note-vm\" to \"staging copy\"\n")
        #expect(try await sim.control("comment note-vm ' '").stdout == "Cleared comment for \"note-vm\"\n")

        let stat = try await sim.control("stat note-vm extra-word --range=7D --json")
        #expect(stat.status == 0, "\(stat.stdout)")
        #expect(try Self.topLevelKeys(stat.stdout) == ["name", "status", "range", "points"], "\(stat.stdout)")
        #expect(try JSONLines.object(stat.stdout)["range"] as? String == "7d")
        #expect(try await sim.control("stat --json").stdout == #"{"error":"usage: stat <vm-name> [--range=24h|7d|30d]"}"# + "\n")
        let badRange = try await sim.control("stat note-vm --range=1w")
        #expect(badRange.stdout == "invalid range \"1w\" (use 24h, 7d, or 30d)\n", "\(badRange.stdout)")
        let listed = try await sim.json("help --json")
        let names = (listed["commands"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("ls") && !names.contains("stat"), "stat is hidden from the command list: \(names)")
        let statHelp = try await sim.control("help stat")
        #expect(statHelp.stdout.contains("Show CPU, memory, disk, and IO metrics for a VM"), "\(statHelp.stdout)")
        _ = try await sim.control("rm note-vm --json")
    }
}

extension SimulatorSuites.ConformanceTests {
    // execore/ssh_key_generate_api_key.go handleSSHKeyGenerateAPIKeyCmd: the
    // JSON result is a Go map (keys sorted); the text form is "Token created."
    // with Label/Expires/Commands lines, the token indented, and the revoke
    // hint. The flags and help texts are generateAPIKeyFlags'.
    @Test func generateAPIKeyFollowsItsHandler() async throws {
        let sim = try sim
        let json = try await sim.control("ssh-key generate-api-key --label=order-key --exp=30d --json")
        #expect(try Self.topLevelKeys(json.stdout) == ["expires_at", "fingerprint", "label", "namespace", "token"])
        let text = try await sim.control("ssh-key generate-api-key --label=text-key --cmds=ls,whoami")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(5)) == ["", "Token created.", "", "Label:       text-key", "Expires:     never"], "\(text.stdout)")
        #expect(lines.contains("Commands:    ls,whoami") && lines.contains("Revoke with: ssh-key remove text-key"), "\(text.stdout)")
        let tokenLine = try #require(lines.firstIndex(of: "Token:")).advanced(by: 1)
        #expect(lines[tokenLine].hasPrefix("  exe1."), "\(text.stdout)")
        let help = try await sim.control("help ssh-key generate-api-key")
        #expect(help.stdout.contains("Generate an API key for the exe.dev HTTPS API or for a specific VM"), "\(help.stdout)")
        #expect(help.stdout.contains("expiry duration (e.g. 30d, 1y) or 'never'"), "\(help.stdout)")
        for name in ["order-key", "text-key"] { _ = try await sim.control("ssh-key remove \(name)") }
    }
}
