@testable import ExeControl
import ExeSSH
import ExeSystem
import ExeTesting
import Foundation
import Testing

@Suite("Decoding recorded server output")
struct ResponseDecodingTests {
    @Test("ls: unknown keys ignored, optional keys missing, unknown status kept, team VMs")
    func list() async throws {
        let output = """
            {"vms":[{"vm_name":"bloggy","ssh_dest":"bloggy.exe.xyz","status":"running","region":"lon","region_display":"London, UK",\
            "https_url":"https://bloggy.exe.xyz","shelley_url":"https://bloggy.shelley.exe.xyz","tags":["prod"],"comment":"blog",\
            "created_at":"2026-04-01T12:00:00Z","disk_capacity_bytes":26843545600,"memory_capacity_bytes":8589934592,"allocated_cpus":2,\
            "brand_new_key":{"nested":[1,2,3]},"owner_email":"x@y.z"},
            {"vm_name":"legacy-vm","ssh_dest":"vm+legacy-vm@vm.exe.xyz","ssh_host":"vm.exe.xyz","ssh_user":"vm+legacy-vm",\
            "status":"hibernating","region":"lax","https_url":"https://legacy-vm.exe.xyz","created_at":"2026-04-01T12:00:00.123456Z"},
            {"vm_name":"minimal"}],
            "team_vms":[{"vm_name":"team-box","ssh_dest":"team-box.exe.xyz","status":"stopped","region":"nyc","https_url":"https://team-box.exe.xyz","creator_email":"a@b.co"}]}

            """
        let (client, transport) = ControlClient.scripted(output)
        let list = try await client.list(includeTeam: true)
        #expect(transport.commandLines == ["ls --a --json"])
        #expect(list.vms.map(\.name) == ["bloggy", "legacy-vm", "minimal"])
        let bloggy = list.vms[0]
        #expect(bloggy.status == .running)
        #expect(bloggy.tags == ["prod"])
        #expect(bloggy.diskCapacityBytes == 26_843_545_600)
        #expect(bloggy.allocatedCPUs == 2)
        #expect(bloggy.createdAt == Date(timeIntervalSince1970: 1_775_044_800))
        let legacy = list.vms[1]
        #expect(legacy.status == .other("hibernating"))
        #expect(legacy.status?.rawValue == "hibernating")
        #expect(legacy.createdAt != nil)
        #expect(legacy.tags == [])
        let minimal = list.vms[2]
        #expect(minimal.status == nil && minimal.sshDestination == nil && minimal.region == nil)
        #expect(list.teamVMs.first?.creatorEmail == "a@b.co")
        #expect(list.teamVMs.first?.status == .stopped)
    }

    @Test("ls with no VMs, and an ls result without vms is not mistaken for an empty list")
    func emptyList() async throws {
        let (client, _) = ControlClient.scripted(#"{"vms":[]}"#)
        #expect(try await client.list().vms.isEmpty)
        let (broken, _) = ControlClient.scripted(#"{"items":[]}"#)
        await #expect { try await broken.list() } throws: { ($0 as? ControlError)?.kind == .unexpectedResponse }
    }

    @Test("new: the VM with its URLs and SSH keys; tags always an array")
    func create() async throws {
        let output = """
            {"vm_name":"maple-dune","tags":[],"ssh_command":"ssh maple-dune.exe.xyz","ssh_dest":"maple-dune.exe.xyz","ssh_port":22,\
            "https_url":"https://maple-dune.exe.xyz","proxy_port":8000,"shelley_url":"https://maple-dune.shelley.exe.xyz",\
            "vscode_url":"vscode://vscode-remote/ssh-remote+maple-dune.exe.xyz/home/exedev?windowId=_blank","xterm_url":"https://maple-dune.xterm.exe.xyz"}
            """
        let (client, _) = ControlClient.scripted(output)
        let vm = try await client.create()
        #expect(vm.name == "maple-dune")
        #expect(vm.proxyPort == 8000)
        #expect(vm.status == nil)
        #expect(vm.sshDestination(defaultUser: "me") == SSHDestination(host: "maple-dune.exe.xyz", port: 22, user: "me"))
    }

    @Test("the simulator's VMs: user@127.0.0.1 with ssh_host, ssh_user and ssh_port")
    func simulatorVM() async throws {
        let output = #"{"vm_name":"sim-box","ssh_dest":"root@127.0.0.1","ssh_host":"127.0.0.1","ssh_user":"root","ssh_port":40222,"https_url":"http://127.0.0.1:40223/","tags":[]}"#
        let (client, _) = ControlClient.scripted(output)
        let vm = try await client.create(.init(name: "sim-box"))
        #expect(vm.sshDestination(defaultUser: "me") == SSHDestination(host: "127.0.0.1", port: 40222, user: "root"))
    }

    @Test("cp uses name/state/ssh; vm_name is tolerated")
    func copy() async throws {
        let (client, _) = ControlClient.scripted(#"{"name":"src-copy","state":"starting","source":"src","ssh":"src-copy.exe.xyz","elapsed":1.83}"#)
        let copy = try await client.copy("src")
        #expect(copy.name == "src-copy")
        #expect(copy.state == .starting)
        #expect(copy.elapsed == 1.83)
        #expect(copy.vm.sshDestination(defaultUser: "u").host == "src-copy.exe.xyz")
        let (other, _) = ControlClient.scripted(#"{"vm_name":"src-copy2","status":"running"}"#)
        #expect(try await other.copy("src").name == "src-copy2")
    }

    @Test("share show, whoami, ssh-key list, set-region, stat with null points")
    func assorted() async throws {
        let show = """
            {"vm_name":"x-box","status":"public","port":8000,"url":"https://x-box.exe.xyz","users":[{"email":"a@b.co","status":"pending","invited_at":"2026-05-01T00:00:00Z"}],\
            "links":[{"token":"tok","created_at":"2026-05-01T00:00:00Z","use_count":3,"last_used_at":null}],"teams":[],"team_access":false,"team_ssh":false,"team_shelley":false}
            """
        let settings = try await ControlClient.scripted(show).0.share.show("x-box")
        #expect(settings.visibility == .public)
        #expect(settings.links.first?.useCount == 3)
        #expect(settings.links.first?.lastUsedAt == nil)
        #expect(settings.users.first?.email == "a@b.co")

        let whoami = #"{"email":"you@example.com","region":"","region_display":"","ssh_keys":[{"public_key":"ssh-ed25519 AAAA","fingerprint":"SHA256:x","name":"key-1","current":true},{"public_key":"ssh-ed25519 BBBB","fingerprint":"SHA256:y"}]}"#
        let account = try await ControlClient.scripted(whoami).0.whoami()
        #expect(account.email == "you@example.com")
        #expect(account.region == nil)
        #expect(account.sshKeys.map(\.isCurrent) == [true, false])
        #expect(account.sshKeys[1].name == nil)

        let keys = try await ControlClient.scripted(#"{"ssh_keys":[]}"#).0.sshKeys.list()
        #expect(keys.isEmpty)

        let region = try await ControlClient.scripted(#"{"region":"lax","region_display":"Los Angeles, USA"}"#).0.setRegion("lax")
        #expect(region.regionDisplay == "Los Angeles, USA")

        let stats = try await ControlClient.scripted(#"{"name":"x-box","status":"running","range":"24h","points":null}"#).0.stat("x-box")
        #expect(stats.points.isEmpty)
        let withPoints = try await ControlClient.scripted(
            #"{"name":"x-box","range":"7d","points":[{"timestamp":"2026-05-01T00:00:00Z","cpu_cores":0.5,"memory_used_gb":1.25,"vm_name":"x-box","future_metric":7}]}"#
        ).0.stat("x-box", range: .week)
        #expect(withPoints.points.first?.cpuCores == 0.5)
        #expect(withPoints.points.first?.metrics["future_metric"] == 7)
    }

    @Test("integrations list: a bare array, or null when there are none")
    func integrations() async throws {
        let list = #"[{"name":"reflection","type":"reflection","config":{"fields":"all"},"attachments":["auto:all"],"comment":"","builtin":true},{"name":"api","type":"http-proxy","config":{"target":"https://api","header":"X-Key:***"},"attachments":["tag:prod"],"team":true}]"#
        let integrations = try await ControlClient.scripted(list).0.integrations.list()
        #expect(integrations.map(\.name) == ["reflection", "api"])
        #expect(integrations[0].isBuiltin && !integrations[0].isTeam)
        #expect(integrations[1].config?["header"]?.stringValue == "X-Key:***")
        #expect(try await ControlClient.scripted("null\n").0.integrations.list().isEmpty)
    }

    @Test("generate-api-key: the token is a Secret that never prints")
    func apiKey() async throws {
        let output = #"{"label":"ci","token":"exe1.ABCDEFGHIJKLMNOPQRSTUVWX","namespace":"v0@exe.dev","fingerprint":"SHA256:z","expires_at":"2026-06-01T00:00:00Z"}"#
        let key = try await ControlClient.scripted(output).0.sshKeys.generateAPIKey(.init(label: "ci"))
        #expect(key.token.reveal() == "exe1.ABCDEFGHIJKLMNOPQRSTUVWX")
        #expect(!"\(key)".contains("ABCDEFGH"))
        #expect(key.expiresAt != nil)
    }

    @Test("help: the index and one command")
    func help() async throws {
        let index = try await ControlClient.scripted(#"{"commands":[{"name":"ls","description":"List VMs"},{"name":"share","description":"Share","subcommands":[{"name":"show","description":"Show"}]}]}"#).0.help()
        #expect(index.commands.map(\.name) == ["ls", "share"])
        let help = try await ControlClient.scripted(#"{"command":"ls","description":"List","usage":"ls [-l] [-a]","flags":[{"name":"a","description":"all"}]}"#).0.help(for: ["ls"])
        #expect(help.flags.first?.name == "a")
    }
}
