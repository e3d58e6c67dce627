@testable import ExeControl
import ExeTesting
import ExeSystem
import Foundation
import Testing

/// Request rendering and lenient decoding for the commands of late 2026
/// (pause/resume, standalone, pools, domains, invites, integrations edit).
/// The docs pin no JSON for them, so other plausible shapes must decode too.
@Suite struct TodayCommandsTests {
    @Test("pause/resume render one word each and fill in a status the server leaves out")
    func pauseResume() async throws {
        let (client, transport) = ControlClient.scripted("{\"name\":\"a-vm\"}")
        let paused = try await client.pause("a-vm")
        #expect(paused.name == "a-vm" && paused.status == .paused)
        let resumed = try await client.resume("a-vm")
        #expect(resumed.status == .running)
        #expect(transport.commandLines == ["pause a-vm --json", "resume a-vm --json"])
        let (empty, _) = ControlClient.scripted("{}")
        #expect(try await empty.pause("b-vm").name == "b-vm")
    }

    @Test("placement flags: --standalone, --pool=, --no-pool; cp --standalone")
    func placement() async throws {
        let (client, transport) = ControlClient.scripted("{\"vm_name\":\"x-vm\"}")
        for placement in [VMPlacement.standalone, .pool("build"), .noPool] {
            var options = NewVMOptions(name: "place-vm")
            options.placement = placement
            _ = try await client.create(options)
        }
        var copy = CopyOptions()
        copy.standalone = true
        let (copier, copyTransport) = ControlClient.scripted("{\"name\":\"y-vm\"}")
        _ = try await copier.copy("place-vm", options: copy)
        #expect(transport.commandLines.map { $0.contains("--standalone") } == [true, false, false])
        #expect(transport.commandLines[1].contains("--pool=build"))
        #expect(transport.commandLines[2].contains("--no-pool"))
        #expect(copyTransport.commandLines == ["cp place-vm --standalone --json"])
        var bad = NewVMOptions()
        bad.placement = .pool(" ")
        await #expect(throws: ControlError.self) { _ = try await client.create(bad) }
    }

    @Test("domains decode from a wrapped list, a bare array, and alternate keys; unknown keys are ignored")
    func domains() async throws {
        let wrapped = #"{"domains":[{"vm_name":"a-vm","domain":"app.example.com","wildcard":true,"added_at":"2026-11-30T01:00:00Z","future":1},{"bogus":true}]}"#
        let (client, transport) = ControlClient.scripted(wrapped)
        let list = try await client.domains.list()
        #expect(list.count == 1 && list[0].vmName == "a-vm" && list[0].wildcard == true && list[0].addedAt != nil)
        #expect(transport.commandLines == ["domain ls --a --json"])
        let (bare, _) = ControlClient.scripted(#"[{"hostname":"b.example.com","vm":"b-vm"}]"#)
        let other = try await bare.domains.list("b-vm")
        #expect(other.first?.domain == "b.example.com" && other.first?.vmName == "b-vm" && other.first?.wildcard == nil)
        let (adder, addTransport) = ControlClient.scripted(#"{"domain":"*.x.example.com"}"#)
        _ = try await adder.domains.add("a-vm", "*.x.example.com", wildcard: true)
        #expect(addTransport.commandLines == ["domain add a-vm '*.x.example.com' --wildcard --json"])
    }

    @Test("pools: the server's cpus rule is checked before sending; lists, usage and hosts decode leniently")
    func pools() async throws {
        let (client, transport) = ControlClient.scripted(#"{"pools":[{"name":"p","cpus":"8","max_vms":200.0,"vms":null}]}"#)
        for cpus in [3, 5, 514, 2] {
            await #expect(throws: ControlError.self) { try await client.pools.create(NewPool(name: "p", cpus: cpus)) }
        }
        #expect(transport.commandLines.isEmpty)
        let pools = try await client.pools.list()
        #expect(pools.first?.cpus == 8 && pools.first?.maxVMs == 200 && pools.first?.vms == [])
        let (usageClient, usageTransport) = ControlClient.scripted(
            #"[{"name":"p","points":[{"timestamp":"2026-11-30T00:00:00Z","cpu_used":1.5,"starvation":0.25,"gpu":7}]}]"#)
        let usage = try await usageClient.pools.usage("p", range: .week)
        #expect(usage.first?.points.first?.cpuUsed == 1.5 && usage.first?.points.first?.starvation == 0.25)
        #expect(usage.first?.points.first?.fields["gpu"] == .number(7))
        #expect(usageTransport.commandLines == ["pool list p --usage --range=7d --json"])
        let (hostsClient, _) = ControlClient.scripted(#"{"hosts":[{"host":"h1","region":"fra","cores":64}]}"#)
        let hosts = try await hostsClient.pools.hosts()
        #expect(hosts.first?.name == "h1" && hosts.first?.region == "fra" && hosts.first?.fields["cores"] == .number(64))
    }

    @Test("invite rewards are an open enum; integrations edit sends secrets as secrets and defines no --json")
    func inviteAndEdit() async throws {
        let (client, _) = ControlClient.scripted(#"{"rewards":[{"name":"gpu-hours","selected":true},{"name":"extra-disk"}]}"#)
        let rewards = try await client.invites.rewards()
        #expect(rewards.map(\.reward) == [.other("gpu-hours"), .extraDisk])
        let (editor, transport) = ControlClient.scripted("Updated integration proxy\n")
        try await editor.integrations.edit(
            "proxy", IntegrationEdit(headers: [(name: "X-Key", value: Secret("s3cret"))], stepUp: true))
        #expect(transport.commandLines == ["integrations edit proxy --header=X-Key:s3cret --step-up=true"])
        let request = try ControlRequest.editIntegration("proxy", IntegrationEdit(bearer: Secret("tok")))
        #expect(!request.redactedCommandLine().contains("tok"))
        await #expect(throws: ControlError.self) { try await editor.integrations.edit("proxy", IntegrationEdit()) }
    }

    @Test("a VM reads standalone and pool when present")
    func vmPlacementKeys() throws {
        let vm = try JSONDecoder().decode(VM.self, from: Data(#"{"vm_name":"a","standalone":true,"pool":"p","status":"paused"}"#.utf8))
        #expect(vm.standalone == true && vm.pool == "p" && vm.status == .paused)
    }
}
