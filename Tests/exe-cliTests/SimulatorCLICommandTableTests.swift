import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// The transport an `exe-cli` run is configured for.
enum CLITransport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case ssh
    case https

    var testDescription: String { rawValue }
}

extension SimulatorCLITests {
    /// The commands the HTTPS token of the table test may run.
    static let tableCommands = [
        "ls", "new", "rm", "restart", "rename", "tag", "comment", "stat", "cp", "resize", "share show", "share port",
        "share set-public", "share set-private", "share add", "share remove", "ssh-key add", "ssh-key list", "ssh-key rename",
        "ssh-key remove", "integrations list", "integrations add", "integrations remove", "set-region", "whoami",
    ]

    /// One `exe-cli ... --json` run that must succeed; its JSON document.
    func json(_ arguments: [String], _ variables: [String: String]) async throws -> Any {
        let sim = try sim
        let output = try await sim.run(arguments + ["--json"], extra: variables)
        try #require(output.status == 0, "\(arguments.joined(separator: " ")): exit \(output.status): \(output.stderr)")
        #expect(output.stderr.isEmpty, "\(arguments.joined(separator: " ")): \(output.stderr)")
        return try #require(
            try? JSONSerialization.jsonObject(with: output.standardOutput),
            "\(arguments.joined(separator: " ")): not JSON: \(output.stdout)")
    }

    /// `json(arguments)` as an object that has every key of `keys`.
    func object(_ arguments: [String], keys: [String], _ variables: [String: String]) async throws -> [String: Any] {
        let value = try await json(arguments, variables)
        let object = try #require(value as? [String: Any], "\(arguments.joined(separator: " ")): not an object: \(value)")
        for key in keys {
            #expect(object[key] != nil, "\(arguments.joined(separator: " ")): no \"\(key)\" in \(object.keys.sorted())")
        }
        return object
    }

    /// `vm ls --json`'s entry for `name`, if listed.
    func listed(_ name: String, _ variables: [String: String]) async throws -> [String: Any]? {
        let list = try await object(["vm", "ls"], keys: ["vms", "team_vms"], variables)
        return (list["vms"] as? [[String: Any]])?.first { $0["vm_name"] as? String == name }
    }

    @Test("every vm, share, ssh-key, integrations and account subcommand with --json: the documented keys and the effect", arguments: CLITransport.allCases)
    func everyCommand(_ transport: CLITransport) async throws {
        let sim = try sim
        var variables: [String: String] = [:]
        if transport == .https {
            let token = try await sim.harness.mintAPIToken(key: sim.key.privatePath, label: "cli-table", cmds: Self.tableCommands)
            variables = ["EXE_TRANSPORT": "https", "EXE_API_TOKEN": token.reveal()]
        }
        let prefix = transport.rawValue
        let box = "\(prefix)-table-box"
        let moved = "\(prefix)-table-moved"
        let copy = "\(prefix)-table-copy"

        let created = try await object(["vm", "new", "--name", box], keys: ["vm_name", "ssh_dest", "https_url", "tags"], variables)
        #expect(created["vm_name"] as? String == box)

        let restarted = try await object(["vm", "restart", box], keys: ["vm_name", "status"], variables)
        #expect(restarted["vm_name"] as? String == box)

        let renamed = try await object(["vm", "rename", box, moved], keys: ["old_name", "new_name", "status"], variables)
        #expect(renamed["status"] as? String == "renamed" && renamed["new_name"] as? String == moved)
        #expect(try await listed(box, variables) == nil)

        let tagged = try await object(["vm", "tag", moved, "alpha", "beta"], keys: ["vm_name", "tags"], variables)
        #expect(tagged["tags"] as? [String] == ["alpha", "beta"])
        #expect(try await listed(moved, variables)?["tags"] as? [String] == ["alpha", "beta"])
        let untagged = try await object(["vm", "tag", "-d", moved, "alpha"], keys: ["vm_name", "tags"], variables)
        #expect(untagged["tags"] as? [String] == ["beta"])
        #expect(try await listed(moved, variables)?["tags"] as? [String] == ["beta"])

        let comment = "made by the table; $(id) | \\ ü 🚀"
        let commented = try await object(["vm", "comment", moved, comment], keys: ["vm_name", "comment"], variables)
        #expect(commented["comment"] as? String == comment)
        #expect(try await listed(moved, variables)?["comment"] as? String == comment)

        let stats = try await object(["vm", "stat", moved, "--range", "7d"], keys: ["name", "range", "points"], variables)
        let points = try #require(stats["points"] as? [[String: Any]])
        #expect(!points.isEmpty && points.allSatisfy { $0["timestamp"] is String })

        let copied = try await object(["vm", "cp", moved, copy], keys: ["name", "source"], variables)
        #expect(copied["name"] as? String == copy && copied["source"] as? String == moved)
        #expect(try await listed(copy, variables)?["tags"] as? [String] == ["beta"])

        let resized = try await object(["vm", "resize", moved, "--cpu", "2"], keys: ["vm_name", "old_cpus", "new_cpus"], variables)
        #expect(resized["new_cpus"] as? Int == 2)

        let shown = try await object(["vm", "share", "show", moved], keys: ["vm_name", "status", "users", "links"], variables)
        #expect(shown["vm_name"] as? String == moved)
        let port = try await object(["vm", "share", "port", moved, "8080"], keys: ["vm_name", "port"], variables)
        #expect(port["port"] as? Int == 8080)
        _ = try await object(["vm", "share", "set-public", moved], keys: ["vm_name"], variables)
        let open = try await object(["vm", "share", "show", moved], keys: ["status", "port"], variables)
        #expect(open["status"] as? String == "public" && open["port"] as? Int == 8080)
        _ = try await object(["vm", "share", "set-private", moved], keys: ["vm_name"], variables)
        #expect(try await object(["vm", "share", "show", moved], keys: ["status"], variables)["status"] as? String == "private")
        let friend = "\(prefix)-friend@example.com"
        let added = try await object(["vm", "share", "add", moved, friend], keys: ["vm_name", "status"], variables)
        #expect(added["vm_name"] as? String == moved)
        let users = try await object(["vm", "share", "show", moved], keys: ["users"], variables)["users"] as? [[String: Any]]
        #expect(users?.contains { $0["email"] as? String == friend } == true)
        _ = try await object(["vm", "share", "remove", moved, friend], keys: ["vm_name", "status"], variables)
        let after = try await object(["vm", "share", "show", moved], keys: ["users"], variables)["users"] as? [[String: Any]]
        #expect(after?.contains { $0["email"] as? String == friend } == false)

        let extra = try await SSHKeyPair.generate(type: "ed25519", at: sim.home.file("table-\(prefix)"), comment: "table-\(prefix)")
        let keyAdded = try await object(["ssh-key", "add", extra.publicKey], keys: ["public_key", "status", "name"], variables)
        #expect(keyAdded["status"] as? String == "added" && keyAdded["name"] as? String == "table-\(prefix)")
        let keys = try await object(["ssh-key", "list"], keys: ["ssh_keys"], variables)["ssh_keys"] as? [[String: Any]]
        #expect(keys?.contains { $0["name"] as? String == "table-\(prefix)" } == true)
        let keyRenamed = try await object(
            ["ssh-key", "rename", "table-\(prefix)", "table-\(prefix)-2"], keys: ["name", "old_name", "status"], variables)
        #expect(keyRenamed["status"] as? String == "renamed" && keyRenamed["name"] as? String == "table-\(prefix)-2")
        let keyRemoved = try await object(["ssh-key", "remove", "table-\(prefix)-2"], keys: ["status", "fingerprint"], variables)
        #expect(keyRemoved["status"] as? String == "deleted")
        let remaining = try await object(["ssh-key", "list"], keys: ["ssh_keys"], variables)["ssh_keys"] as? [[String: Any]]
        #expect(remaining?.contains { ($0["name"] as? String)?.hasPrefix("table-\(prefix)") == true } == false)

        let integrations = try #require(try await object(["integrations", "list"], keys: ["integrations"], variables)["integrations"] as? [[String: Any]])
        #expect(integrations.contains { $0["name"] as? String == "reflection" && $0["builtin"] as? Bool == false })
        #expect(integrations.contains { $0["name"] as? String == "llm" && $0["type"] as? String == "llm" }, "a type the client does not know is listed")
        let mirror = "\(prefix)-table-mirror"
        let integrationAdded = try await object(
            ["integrations", "add", "reflection", "--name", mirror, "--fields", "email,tags", "--attach", "vm:\(moved)"],
            keys: ["status", "command", "name"], variables)
        #expect(integrationAdded["status"] as? String == "ok" && integrationAdded["name"] as? String == mirror)
        let withMirror = try #require(try await object(["integrations", "list"], keys: ["integrations"], variables)["integrations"] as? [[String: Any]])
        let entry = try #require(withMirror.first { $0["name"] as? String == mirror })
        #expect(entry["type"] as? String == "reflection" && entry["attachments"] as? [String] == ["vm:\(moved)"])
        _ = try await object(["integrations", "remove", mirror], keys: ["status", "name"], variables)
        let withoutMirror = try #require(try await object(["integrations", "list"], keys: ["integrations"], variables)["integrations"] as? [[String: Any]])
        #expect(!withoutMirror.contains { $0["name"] as? String == mirror })

        let region = try await object(["set-region", "fra"], keys: ["region", "region_display"], variables)
        #expect(region["region"] as? String == "fra" && region["region_display"] as? String == "Frankfurt, Germany")
        let account = try await object(["whoami"], keys: ["email", "ssh_keys"], variables)
        #expect(account["email"] as? String == "\(sim.harness.user)@exe-sim.localhost")
        #expect(account["region"] as? String == "fra")
        let closed = try await sim.run(["set-region", "pdx", "--json"], extra: variables)
        // execore/ssh_set_region_command.go: a gated region is refused with the available list.
        #expect(
            closed.status == 2
                && closed.stderr == "error: region \"pdx\" is not available; choose from: lax, nyc, dal, fra, tyo, syd, sgp, lon\n",
            "\(closed.stderr)")
        _ = try await object(["set-region", "lax"], keys: ["region"], variables)

        let removed = try await object(["vm", "rm", moved, copy], keys: ["deleted", "failed", "errors"], variables)
        #expect(Set(removed["deleted"] as? [String] ?? []) == [moved, copy])
        #expect(try await listed(moved, variables) == nil)
    }
}
