import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// The commands exe.dev added after May 2026 (issue 11 "Commands"), run with
/// the built `exe-cli` against a real `exe-sim`, over SSH and over HTTPS
/// (`POST /exec` with a token). Grounded in the live docs:
/// exe.dev/docs/standalone-vms.md, cli-pool.md, cli-domain.md, cli-invite.md,
/// cli-ls.md, deploy/typescript-sandboxes.md (pause/resume).
@Suite(.cliSimulator, .serialized, .timeLimit(.minutes(6)))
struct SimulatorCLITodayTests {
    var sim: CLISimulator { get throws { try #require(CLISimulator.current, "needs the .cliSimulator trait") } }

    /// Every canonical command these tests send over HTTPS.
    static let httpsCommands = [
        "ls", "new", "rm", "cp", "pause", "resume", "domain add", "domain rm", "domain ls", "pool new", "pool hosts", "pool list",
        "pool adopt", "pool detach", "invite show", "invite link", "invite rewards", "invite set-reward", "invite activity",
        "invite request", "invite manage", "integrations edit", "integrations list", "share set-public", "ssh",
    ]

    enum Transport: String, CaseIterable { case ssh, https }

    /// The variables that select `transport` (a token for HTTPS).
    func variables(_ transport: Transport, label: String) async throws -> [String: String] {
        guard transport == .https else { return [:] }
        let sim = try sim
        let token = try await sim.harness.mintAPIToken(key: sim.key.privatePath, label: label, cmds: Self.httpsCommands)
        return ["EXE_TRANSPORT": "https", "EXE_API_TOKEN": token.reveal()]
    }

    func json(_ output: ProcessOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any], "\(output.stdout) \(output.stderr)")
    }

    func listed(_ name: String, _ extra: [String: String]) async throws -> [String: Any] {
        let output = try await sim.run(["vm", "ls", name, "--json"], extra: extra)
        #expect(output.status == 0, "\(output.stderr)")
        let vms = try #require(try json(output)["vms"] as? [[String: Any]])
        return try #require(vms.first { $0["vm_name"] as? String == name }, "\(name) not listed")
    }

    /// The integer in the VM file `name` under its `/tmp`, read from the
    /// simulator's state directory (the VM itself is frozen while paused).
    func counter(_ name: String) throws -> Int? {
        let vms = try sim.harness.stateDirectory + "/vms"
        for id in (try? FileManager.default.contentsOfDirectory(atPath: vms)) ?? [] {
            if let text = try? String(contentsOfFile: "\(vms)/\(id)/fs/tmp/\(name)", encoding: .utf8) {
                return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return nil
    }

    /// The counter once it is above `value`; nil when it is not within `limit`.
    func waitForCounter(_ name: String, above value: Int, within limit: Duration = .seconds(30)) async throws -> Int? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let now = try counter(name), now > value { return now }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test("pause freezes the VM's processes (a background counter stops), ls shows paused, SSH and the proxy do not answer, exec is refused; resume brings the same process back (ControlSession+Pause.swift)", arguments: Transport.allCases)
    func pauseAndResume(_ transport: Transport) async throws {
        let sim = try sim
        let extra = try await variables(transport, label: "pause-\(transport)")
        let name = "pause-\(transport.rawValue)-vm"
        let file = "counter-\(UUID().uuidString)"
        #expect(try await sim.run(["vm", "new", "--name", name], extra: extra).status == 0)
        // The counter runs in the VM, detached from the session that started it (SSH to the VM either way).
        let started = try await sim.run(
            ["vm", "exec", name, "--", "sh", "-c", "nohup sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/\(file).new; mv /tmp/\(file).new /tmp/\(file); sleep 0.1; done' >/dev/null 2>&1 &"])
        #expect(started.status == 0, "\(started.stderr)")
        let running = try #require(try await waitForCounter(file, above: 2), "the counter never ran")

        let paused = try await sim.run(["vm", "pause", name, "--json"], extra: extra)
        #expect(paused.status == 0, "\(paused.stderr)")
        #expect(try json(paused)["status"] as? String == "paused")
        #expect(try await listed(name, extra)["status"] as? String == "paused")
        let frozen = try #require(try counter(file))
        #expect(frozen >= running)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try counter(file) == frozen, "the counter advanced while the VM was paused")

        // SSH to the VM: the TCP connection is accepted by the kernel, but the frozen sshd never sends its banner.
        let vm = try await listed(name, extra)
        let port = try #require(vm["ssh_port"] as? Int)
        let probe = try await LocalProcessRunner().run(ProcessInvocation(
            "ssh", sim.harness.sshOptions(key: sim.key.privatePath, port: port).map { $0 == "ConnectTimeout=10" ? "ConnectTimeout=2" : $0 }
                + ["\(sim.harness.user)@127.0.0.1", "true"], timeout: .seconds(20)))
        #expect(probe.status == 255, "ssh to a paused VM answered: \(probe.stdout) \(probe.stderr)")
        // The proxy holds the request unanswered.
        let url = try #require(vm["https_url"] as? String)
        let proxied = try await LocalProcessRunner().run(ProcessInvocation("curl", ["-s", "-m", "2", "-o", "/dev/null", "-w", "%{http_code}"] + sim.harness.curlConnectTo + [url], timeout: .seconds(20)))
        #expect(proxied.status == 28 && proxied.stdout == "000", "the proxy answered a paused VM: \(proxied.stdout)")
        // exe-cli says why instead of waiting for a timeout (vm exec over SSH,
        // the transport that looks the VM up; over HTTPS it runs `ssh VM CMD` on /exec).
        let exec = try await sim.run(["vm", "exec", name, "--", "true"])
        #expect(exec.status == 1)
        #expect(exec.stderr == "error: VM \"\(name)\" is paused; resume it first: exe-cli vm resume \(name)\n")
        if transport == .https {
            // Over HTTPS the command goes to /exec without a lookup; a paused
            // VM never answers, and at the deadline exe-cli names the pause.
            let overHTTPS = try await sim.run(["vm", "exec", name, "--timeout", "3", "--", "true"], extra: extra)
            #expect(overHTTPS.status == 1)
            #expect(overHTTPS.stderr == "error: VM \"\(name)\" is paused; resume it first: exe-cli vm resume \(name)\n", "\(overHTTPS.stderr)")
        }
        let again = try await sim.run(["vm", "pause", name], extra: extra)
        #expect(again.status == 1 && again.stderr == "error: VM \"\(name)\" is already paused\n", "\(again.stderr)")

        let resumed = try await sim.run(["vm", "resume", name, "--json"], extra: extra)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try json(resumed)["status"] as? String == "running")
        #expect(try await listed(name, extra)["status"] as? String == "running")
        let advanced = try await waitForCounter(file, above: frozen)
        #expect((advanced ?? 0) > frozen, "the counter did not run again after resume")
        // The same process: it continued from its count instead of starting over.
        #expect((advanced ?? 0) < frozen + 100)
        let after = try await sim.run(["vm", "exec", name, "--", "cat", "/tmp/\(file)"])
        #expect(after.status == 0 && (Int(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > frozen, "\(after.stderr)")
        let notPaused = try await sim.run(["vm", "resume", name], extra: extra)
        #expect(notPaused.status == 1 && notPaused.stderr == "error: VM \"\(name)\" is not paused\n")
        let ghost = try await sim.run(["vm", "pause", "ghost-vm"], extra: extra)
        #expect(ghost.status == 3 && ghost.stderr == "error: VM \"ghost-vm\" not found\n", "\(ghost.stderr)")
        #expect(try await sim.run(["vm", "rm", name], extra: extra).status == 0)
    }

    @Test("new --sandbox/--standalone and cp --standalone make standalone VMs; --standalone with --pool/--no-pool is refused by exe-cli and by the server (standalone-vms.md)", arguments: Transport.allCases)
    func standalone(_ transport: Transport) async throws {
        let sim = try sim
        let extra = try await variables(transport, label: "standalone-\(transport)")
        let base = "base-\(transport.rawValue)-vm"
        let sandbox = "sandbox-\(transport.rawValue)-vm"
        #expect(try await sim.run(["vm", "new", "--name", base, "--tag", "warm"], extra: extra).status == 0)
        let created = try await sim.run(["vm", "new", "--sandbox", "--name", sandbox, "--json"], extra: extra)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try await listed(sandbox, extra)["standalone"] as? Bool == true)
        #expect(try await listed(base, extra)["standalone"] == nil)

        let copied = try await sim.run(["vm", "cp", base, "copy-\(transport.rawValue)-vm", "--standalone", "--json"], extra: extra)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(try json(copied)["name"] as? String == "copy-\(transport.rawValue)-vm")
        let copy = try await listed("copy-\(transport.rawValue)-vm", extra)
        #expect(copy["standalone"] as? Bool == true)
        #expect(copy["tags"] as? [String] == ["warm"])

        for flags in [["--standalone", "--pool", "p"], ["--sandbox", "--no-pool"]] {
            let refused = try await sim.run(["vm", "new"] + flags, extra: extra)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("--standalone cannot be combined with --pool or --no-pool"), "\(refused.stderr)")
        }
        // The server refuses it too (a client that does not check).
        if transport == .ssh {
            let raw = try await sim.harness.ssh("new --standalone --no-pool --json", key: sim.key.privatePath)
            #expect(raw.status == 255 && raw.stdout == "{\"error\":\"--standalone cannot be combined with --pool or --no-pool\"}\n", "\(raw.stdout)")
        } else {
            let token = try #require(extra["EXE_API_TOKEN"])
            let raw = try await sim.harness.exec("new --sandbox --pool=p", token: Secret(token))
            #expect(raw.status == 422 && raw.body == "{\"error\":\"--standalone cannot be combined with --pool or --no-pool\"}\n", "\(raw.body)")
        }
        // Bad size, in the server's words.
        let small = try await sim.run(["vm", "new", "--sandbox", "--memory", "1GB"], extra: extra)
        #expect(small.status == 2 && small.stderr.contains("--memory must be at least 2 GB"), "\(small.stderr)")
        let rawSmall = try await sim.harness.ssh("new --standalone --memory=1GB", key: sim.key.privatePath)
        // A failed command ends without an exit status, which OpenSSH reports as 255 (execore/ssh_server.go handleExec).
        #expect(rawSmall.status == 255 && rawSmall.stdout == "--memory must be at least 2 GB\n", "\(rawSmall.stdout)")
        #expect(try await sim.run(["vm", "rm", base, sandbox, "copy-\(transport.rawValue)-vm"], extra: extra).status == 0)
    }

    @Test("domain add/ls/rm, and the VM's proxy serves its added domains (Host header) and refuses others (cli-domain.md)", arguments: Transport.allCases)
    func domains(_ transport: Transport) async throws {
        let sim = try sim
        let extra = try await variables(transport, label: "domain-\(transport)")
        let name = "domain-\(transport.rawValue)-vm"
        let domain = "app-\(transport.rawValue).example.com"
        #expect(try await sim.run(["vm", "new", "--name", name], extra: extra).status == 0)
        let added = try await sim.run(["domain", "add", name, domain, "--json"], extra: extra)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try json(added)["domain"] as? String == domain)
        #expect(try await sim.run(["domain", "add", "--wildcard", name, "*.api-\(transport.rawValue).example.com"], extra: extra).status == 1)
        #expect(try await sim.run(["domain", "add", name, "*.api-\(transport.rawValue).example.com"], extra: extra).status == 0)

        let list = try await sim.run(["domain", "ls", name, "--json"], extra: extra)
        let domains = try #require(try json(list)["domains"] as? [[String: Any]])
        #expect(Set(domains.compactMap { $0["domain"] as? String }) == [domain, "*.api-\(transport.rawValue).example.com"])
        let all = try await sim.run(["domain", "ls", "--all"], extra: extra)
        #expect(all.status == 0 && all.stdout.hasPrefix("DOMAIN") && all.stdout.contains(domain), "\(all.stdout)")

        // Public, so the proxy's sharing check lets an anonymous request through to the routing.
        #expect(try await sim.run(["vm", "share", "set-public", name], extra: extra).status == 0)
        let url = try #require(try await listed(name, extra)["https_url"] as? String)
        func fetch(host: String) async throws -> (status: String, body: String) {
            let output = try await LocalProcessRunner().run(ProcessInvocation(
                "curl", ["-s", "-m", "10", "-H", "Host: \(host)", "-w", "\n%{http_code}"] + sim.harness.curlConnectTo + [url], timeout: .seconds(30)))
            let cut = output.stdout.lastIndex(of: "\n") ?? output.stdout.startIndex
            return (String(output.stdout[output.stdout.index(after: cut)...]), String(output.stdout[..<cut]))
        }
        // An added domain reaches the VM (which serves nothing on its port: the VM's own 503).
        for host in [domain, "v1.api-\(transport.rawValue).example.com", "\(name).exe.xyz"] {
            let served = try await fetch(host: host)
            #expect(served.status == "503" && served.body.contains("nothing serves port"), "\(host): \(served)")
        }
        let refused = try await fetch(host: "other-\(transport.rawValue).example.com")
        #expect(refused.status == "421" && refused.body.contains("is not added to any VM"), "\(refused)")

        let removed = try await sim.run(["domain", "rm", name, domain, "--json"], extra: extra)
        #expect(try removed.status == 0 && (json(removed)["status"] as? String) == "removed", "\(removed.stderr)")
        #expect(try await fetch(host: domain).status == "421")
        let notAdded = try await sim.run(["domain", "rm", name, domain], extra: extra)
        #expect(notAdded.status == 1 && notAdded.stderr == "error: domain \"\(domain)\" is not added to \(name)\n", "\(notAdded.stderr)")
        #expect(try await sim.run(["vm", "rm", name], extra: extra).status == 0)
    }

    @Test("pool new/hosts/ls (--usage), new --pool with the pool's capacity enforced, adopt, detach (cli-pool.md)", arguments: Transport.allCases)
    func pools(_ transport: Transport) async throws {
        let sim = try sim
        let extra = try await variables(transport, label: "pool-\(transport)")
        let pool = "build-\(transport.rawValue)"
        let created = try await sim.run(["pool", "new", pool, "--cpus", "4", "--region", "fra", "--max-vms", "1", "--json"], extra: extra)
        #expect(created.status == 0, "\(created.stderr)")
        let object = try json(created)
        #expect(object["cpus"] as? Int == 4 && object["max_vms"] as? Int == 1 && object["region"] as? String == "fra")
        let odd = try await sim.run(["pool", "new", "odd", "--cpus", "5", "--region", "fra"], extra: extra)
        #expect(odd.status == 2 && odd.stderr.contains("even number of vCPUs from 4 through 512"), "\(odd.stderr)")
        let rawOdd = try await sim.harness.ssh("pool new odd --cpus=3 --region=fra", key: sim.key.privatePath)
        #expect(rawOdd.status == 255 && rawOdd.stdout.contains("even number of vCPUs from 4 through 512"))
        let hosts = try await sim.run(["pool", "hosts", "--json"], extra: extra)
        #expect(try hosts.status == 0 && (json(hosts)["hosts"] as? [Any])?.isEmpty == true, "\(hosts.stderr)")

        let first = "pooled-\(transport.rawValue)-vm"
        #expect(try await sim.run(["vm", "new", "--name", first, "--pool", pool], extra: extra).status == 0)
        #expect(try await listed(first, extra)["pool"] as? String == pool)
        let full = try await sim.run(["vm", "new", "--name", "overflow-\(transport.rawValue)", "--pool", pool], extra: extra)
        #expect(full.status == 1 && full.stderr == "error: pool \"\(pool)\" is full (1 of 1 VMs)\n", "\(full.stderr)")
        let missing = try await sim.run(["vm", "new", "--pool", "no-such-pool"], extra: extra)
        #expect(missing.status == 3 && missing.stderr.contains("pool \"no-such-pool\" not found"), "\(missing.stderr)")

        let listing = try await sim.run(["pool", "ls", pool, "--json"], extra: extra)
        let pools = try #require(try json(listing)["pools"] as? [[String: Any]])
        #expect(pools.count == 1 && pools.first?["vm_count"] as? Int == 1)
        let usage = try await sim.run(["pool", "ls", pool, "--usage", "--range", "24h", "--json"], extra: extra)
        let usagePools = try #require(try json(usage)["pools"] as? [[String: Any]], "\(usage.stderr)")
        #expect(usagePools.first?["range"] as? String == "24h" && (usagePools.first?["points"] as? [Any])?.isEmpty == false)
        let table = try await sim.run(["pool", "ls"], extra: extra)
        #expect(table.stdout.hasPrefix("POOL") && table.stdout.contains(pool))
        #expect(try await sim.run(["pool", "ls", "--range", "7d"], extra: extra).status == 2)

        let detached = try await sim.run(["pool", "detach", "--vm", first, "--json"], extra: extra)
        #expect(try detached.status == 0 && (json(detached)["standalone"] as? Bool) == true, "\(detached.stderr)")
        let vm = try await listed(first, extra)
        #expect(vm["pool"] == nil && vm["standalone"] as? Bool == true)
        let adopted = try await sim.run(["pool", "adopt", "--vm", first, "--pool", pool, "--json"], extra: extra)
        #expect(try adopted.status == 0 && (json(adopted)["pool"] as? String) == pool, "\(adopted.stderr)")
        #expect(try await listed(first, extra)["pool"] as? String == pool)
        let grouped = try await sim.run(["vm", "ls", "--group", "type"], extra: extra)
        #expect(grouped.status == 0 && grouped.stdout.contains("pool \(pool):\nNAME"), "\(grouped.stdout)")
        #expect(try await sim.run(["vm", "rm", first], extra: extra).status == 0)
    }

    @Test("invite (every subcommand, --json), integrations edit --step-up, ls --group tag (cli-invite.md, cli-ls.md)", arguments: Transport.allCases)
    func inviteIntegrationsAndGroups(_ transport: Transport) async throws {
        let sim = try sim
        let extra = try await variables(transport, label: "invite-\(transport)")
        let show = try await sim.run(["invite", "show", "--json"], extra: extra)
        let link = try #require(try json(show)["link"] as? String, "\(show.stderr)")
        #expect(link.hasPrefix("https://exe.dev/invite/"))
        let plain = try await sim.run(["invite", "link"], extra: extra)
        #expect(plain.stdout == link + "\n")
        let set = try await sim.run(["invite", "set-reward", "extra-memory", "--json"], extra: extra)
        #expect(try set.status == 0 && (json(set)["reward"] as? String) == "extra-memory", "\(set.stderr)")
        let rewards = try await sim.run(["invite", "rewards", "--json"], extra: extra)
        let options = try #require(try json(rewards)["rewards"] as? [[String: Any]])
        #expect(options.first { $0["selected"] as? Bool == true }?["name"] as? String == "extra-memory")
        let bogus = try await sim.run(["invite", "set-reward", "gold"], extra: extra)
        #expect(bogus.status == 1 && bogus.stderr.contains("unknown reward \"gold\""), "\(bogus.stderr)")
        for subcommand in ["activity", "request", "manage"] {
            let output = try await sim.run(["invite", subcommand, "--json"], extra: extra)
            #expect(try output.status == 0 && !(json(output)).isEmpty, "\(subcommand): \(output.stderr)")
        }

        let edited = try await sim.run(
            ["integrations", "edit", "reflection", "--step-up", "--step-up-require-passkey", "--comment", "edited \(transport)"], extra: extra)
        #expect(edited.status == 0, "\(edited.stderr)")
        let integrations = try await sim.run(["integrations", "list", "--json"], extra: extra)
        let reflection = try #require(
            ((try JSONSerialization.jsonObject(with: integrations.standardOutput) as? [String: Any])?["integrations"] as? [[String: Any]])?.first { $0["name"] as? String == "reflection" })
        #expect((reflection["config"] as? [String: Any])?["step_up"] as? String == "true")
        #expect((reflection["config"] as? [String: Any])?["step_up_require_passkey"] as? String == "true")
        #expect(reflection["comment"] as? String == "edited \(transport)")
        #expect(try await sim.run(["integrations", "edit", "reflection", "--no-step-up", "--no-step-up-require-passkey"], extra: extra).status == 0)
        #expect(try await sim.run(["integrations", "edit", "ghost-integration", "--comment", "x"], extra: extra).status == 3)

        let tagged = "group-\(transport.rawValue)-vm"
        #expect(try await sim.run(["vm", "new", "--name", tagged, "--tag", "grp\(transport.rawValue)"], extra: extra).status == 0)
        let grouped = try await sim.run(["vm", "ls", "--group", "tag"], extra: extra)
        #expect(grouped.stdout.contains("#grp\(transport.rawValue):\nNAME"), "\(grouped.stdout)")
        let serverGrouped = try await sim.harness.ssh("ls --group=tag", key: sim.key.privatePath)
        #expect(serverGrouped.stdout.contains("#grp\(transport.rawValue):\n  \(tagged).exe.xyz"), "\(serverGrouped.stdout)")
        let badGroup = try await sim.harness.ssh("ls --group=color", key: sim.key.privatePath)
        // A failed command ends without an exit status: OpenSSH reports 255 (execore/ssh_server.go handleExec).
        #expect(badGroup.status == 255 && badGroup.stdout.contains("invalid --group \"color\""))
        #expect(try await sim.run(["vm", "ls", "--group", "color"], extra: extra).status == 2)
        #expect(try await sim.run(["vm", "rm", tagged], extra: extra).status == 0)
    }
}
