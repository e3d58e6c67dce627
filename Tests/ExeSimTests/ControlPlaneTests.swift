import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// The control plane over real OpenSSH: JSON shapes, error texts, quirks,
    /// concurrency.
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct ControlPlaneTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        func expectError(_ command: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let output = try await sim.control(command)
            #expect(output.status != 0, "\(command) should fail", sourceLocation: sourceLocation)
            #expect(output.stdout == JSONValue.object([("error", .string(message))]).encoded(escapingHTML: false) + "\n", "\(command)", sourceLocation: sourceLocation)
            #expect(output.stderr.isEmpty, sourceLocation: sourceLocation)
        }

        @Test func unregisteredKeyGetsTheRegistrationMessage() async throws {
            let sim = try sim
            let output = try await sim.harness.ssh("ls --json", key: sim.strangerKey)
            #expect(output.status == 1)
            #expect(output.stdout == "Please complete registration by running: ssh exe.dev\n")
        }

        @Test func goFlagQuirks() async throws {
            let sim = try sim
            let la = try await sim.control("ls -la --json")
            #expect(la.status == 255)  // no exit status (execore/ssh_server.go handleExec)
            #expect(la.stdout == "flag parsing error: flag provided but not defined: -la\n")
            let unknown = try await sim.control("whoami --bogus --json")
            #expect(unknown.stdout == "flag parsing error: flag provided but not defined: -bogus\n")
            try await expectError("new foo --json", "\"new\" command has no subcommands and does not take positional arguments")
            let notFound = try await sim.control("frobnicate --json")
            #expect(notFound.stdout == "exe.dev repl: command not found: \"frobnicate --json\"\n")
            #expect(notFound.status == 255)
            try await expectError("share bogus vm --json", "\"share\" subcommand \"bogus\" not found, valid \"share\" subcommands are: show, port, set-public, set-private, add, remove, add-link, remove-link, receive-email, access")
            // --json vm1 -l: parsing stops at vm1, so -l is a name filter, and -l plus --json is a quiet no-op.
            let reordered = try await sim.json("ls --json no-such-vm -l")
            #expect((reordered["vms"] as? [Any])?.isEmpty == true)
            let longForm = try await sim.control("ls -l -a --json")
            #expect(longForm.status == 0)
            let integrationsJSON = try await sim.control("integrations attach reflection vm:x --json")
            #expect(integrationsJSON.stdout == "flag parsing error: flag provided but not defined: -json\n")
        }

        @Test func helpAndWhoami() async throws {
            let sim = try sim
            let help = try await sim.json("help --json")
            let commands = try #require(help["commands"] as? [[String: Any]])
            #expect(commands.contains { $0["name"] as? String == "new" })
            let share = try #require(commands.first { $0["name"] as? String == "share" })
            #expect((share["subcommands"] as? [Any])?.count == 9)
            let lsHelp = try await sim.json("help ls --json")
            #expect(Set(lsHelp.keys).isSuperset(of: ["command", "description", "usage", "flags"]))
            let viaFlag = try await sim.json("new --help --json")
            #expect(viaFlag["command"] as? String == "new")
            try await expectError("help nope --json", "no help available for unrecognized command: nope")
            let text = try await sim.control("help")
            #expect(text.status == 0 && !text.stdout.contains("\u{1b}"))

            let whoami = try await sim.json("whoami --json")
            #expect(Set(whoami.keys) == ["email", "region", "region_display", "ssh_keys"])
            let keys = try #require(whoami["ssh_keys"] as? [[String: Any]])
            #expect(keys.first?["current"] as? Bool == true)
            #expect(Set(keys[0].keys) == ["public_key", "fingerprint", "name", "current"])
        }

        @Test func newAndListShapes() async throws {
            let sim = try sim
            let created = try await sim.newVM("shape-one", extra: "--tag=web,prod --tag=blue --comment='front end' --memory=4GB --cpu=4 --disk=20")
            #expect(Set(created.keys) == ["vm_name", "tags", "ssh_command", "ssh_dest", "ssh_host", "ssh_user", "ssh_port", "https_url", "proxy_port", "vscode_url"])
            #expect(created["tags"] as? [String] == ["blue", "prod", "web"])
            #expect(created["proxy_port"] as? Int == 8000)
            let port = try #require(created["ssh_port"] as? Int)
            #expect(created["ssh_dest"] as? String == "\(sim.harness.user)@127.0.0.1")
            #expect(created["ssh_command"] as? String == "ssh -p \(port) \(sim.harness.user)@127.0.0.1")
            // One URL per VM name (exe.dev: https://<vm>.exe.xyz/, docs/content/proxy.md).
            #expect(created["https_url"] as? String == "http://shape-one.exe-sim.localhost")

            let bare = try await sim.newVM("shape-two")
            #expect(bare["tags"] as? [String] == [])

            let listed = try await sim.json("ls --json shape-*")
            let vms = try #require(listed["vms"] as? [[String: Any]])
            #expect(vms.map { $0["vm_name"] as? String } == ["shape-one", "shape-two"])
            let one = vms[0]
            #expect(Set(one.keys) == [
                "vm_name", "ssh_dest", "ssh_host", "ssh_user", "ssh_port", "status", "region", "region_display", "https_url",
                "shelley_url", "tags", "comment", "created_at", "disk_capacity_bytes", "memory_capacity_bytes", "allocated_cpus",
            ])
            #expect(one["status"] as? String == "running")
            #expect(one["memory_capacity_bytes"] as? Int == 4 << 30)
            #expect(one["disk_capacity_bytes"] as? Int == 20 << 30)
            #expect(one["allocated_cpus"] as? Int == 4)
            #expect(one["comment"] as? String == "front end")
            #expect(vms[1]["tags"] == nil && vms[1]["comment"] == nil)
            let byTag = try await sim.json("ls --json prod")
            #expect((byTag["vms"] as? [[String: Any]])?.map { $0["vm_name"] as? String } == ["shape-one"])
            let raw = try await sim.control("ls --json shape-two")
            #expect(!raw.stdout.contains("null"))
            let text = try await sim.control("ls -l shape-one")
            #expect(text.stdout.contains("shape-one.exe.xyz") && !text.stdout.contains("\u{1b}"))
        }

        @Test func newValidationErrors() async throws {
            try await expectError("new --name=abc --json", VMNameRules.invalidMessage)
            try await expectError("new --name=Bad_Name --json", VMNameRules.invalidMessage)
            try await expectError("new --name=hello-world --json", VMNameRules.unavailableMessage)
            try await expectError("new --name=admin --json", VMNameRules.unavailableMessage)
            try await expectError("new --name=valid-name --tag=BAD --json", "--tag invalid tag name \"BAD\": must match ^[a-z][a-z0-9_-]*$")
            // execore/ssh_new_command.go parseTagList: an empty part is refused.
            try await expectError("new --name=valid-name --tag=a,,b --json", "--tag contains an empty tag")
            try await expectError("new --name=valid-name --memory=1GB --json", "--memory must be at least 2 GB")
            try await expectError("new --name=valid-name --memory=64GB --json", "--memory cannot exceed 32 GB")
            try await expectError("new --name=valid-name --disk=5GB --json", "--disk must be at least 10 GB")
            try await expectError("new --name=valid-name --disk=1TB --json", "--disk cannot exceed 250 GB — contact support@exe.dev if you need more")
            try await expectError("new --name=valid-name --cpu=64 --json", "--cpu cannot exceed 8")
            try await expectError("new --name=valid-name --env=NOEQUALS --json", "invalid environment variable format \"NOEQUALS\": must be KEY=VALUE")
            try await expectError("new --name=valid-name --integration=nope --json", "integration \"nope\" not found")
            try await expectError("new --name=valid-name --comment='a<b' --json", "--comment comment must not contain HTML metacharacters (< > & \" ' `)")
            _ = try await sim.newVM("taken-name")
            try await expectError("new --name=taken-name --json", "VM name \"taken-name\" is not available")
        }

        @Test func removeStreamsErrorsThenSummary() async throws {
            let sim = try sim
            _ = try await sim.newVM("doomed-one")
            _ = try await sim.newVM("doomed-two")
            let output = try await sim.control("rm doomed-one ghost-vm doomed-two.exe.xyz --json")
            #expect(output.status == 0)
            #expect(output.stdout == """
                {"error":"VM \\"ghost-vm\\" not found"}
                {"deleted":["doomed-one","doomed-two"],"failed":["ghost-vm"]}

                """)
            try await expectError("rm --json", "please specify at least one VM name to delete")
            let gone = try await sim.json("ls --json doomed-*")
            #expect((gone["vms"] as? [Any])?.isEmpty == true)
        }

        @Test func vmCommands() async throws {
            let sim = try sim
            _ = try await sim.newVM("cmd-vm")
            // execore/ssh_command_handlers.go handleRestartCommand: the
            // "Restarting" line is a Writeln (exemenu/command_system.go:
            // nothing in JSON mode); the result is a Go map (sorted keys).
            let restarted = try await sim.control("restart cmd-vm --json")
            #expect(restarted.status == 0)
            #expect(restarted.stdout == #"{"status":"restarted","vm_name":"cmd-vm"}"# + "\n", "\(restarted.stdout)")
            let restartedText = try await sim.control("restart cmd-vm")
            #expect(restartedText.stdout == "Restarting cmd-vm...\nVM \"cmd-vm\" restarted successfully\n", "\(restartedText.stdout)")
            try await expectError("restart --json", "please specify exactly one VM name to restart, got 0")
            try await expectError("restart ghost-vm --json", "VM \"ghost-vm\" not found")

            let tagged = try await sim.json("tag cmd-vm b a --json")
            #expect(tagged["tags"] as? [String] == ["a", "b"])
            try await expectError("tag cmd-vm a --json", "tag \"a\" already exists on cmd-vm")
            try await expectError("tag cmd-vm c c --json", "tag \"c\" specified more than once")
            try await expectError("tag cmd-vm zz -d --json", "tag \"zz\" not found on cmd-vm")
            // The dispatcher takes the word after -d as its value, so Go stops there and --json becomes a tag.
            let swallowed = try await sim.control("tag -d cmd-vm zz --json")
            #expect(swallowed.stdout == "invalid tag name \"--json\": must match [a-z][a-z0-9_-]*\n")
            try await expectError("tag ghost-vm a --json", "vm \"ghost-vm\" not found")
            let untagged = try await sim.json("tag cmd-vm a b -d --json")
            #expect(untagged["tags"] as? [String] == [])

            let commented = try await sim.json("comment cmd-vm hello there --json")
            #expect(Set(commented.keys) == ["vm_name", "comment"] && commented["comment"] as? String == "hello there")
            let cleared = try await sim.json("comment cmd-vm ' ' --json")  // '' is dropped by go-shlex
            #expect(cleared["comment"] as? String == "")

            let stat = try await sim.json("stat cmd-vm --range=7D --json")
            #expect(Set(stat.keys) == ["name", "status", "range", "points"])
            let points = try #require(stat["points"] as? [[String: Any]])
            #expect(points.first.map { Set($0.keys).isSuperset(of: ["timestamp", "disk_size_gb", "cpu_nominal", "memory_nominal_gb", "vm_name"]) } == true)
            try await expectError("stat cmd-vm --range=1y --json", "invalid range \"1y\" (use 24h, 7d, or 30d)")
            try await expectError("stat ghost-vm --json", "VM not found: ghost-vm")

            let resized = try await sim.json("resize cmd-vm --memory=16GB --cpu=4 --disk=30GB --json")
            #expect(Set(resized.keys) == ["vm_name", "old_memory", "new_memory", "old_cpus", "new_cpus", "disk_old_bytes", "disk_new_bytes"])
            #expect(resized["new_memory"] as? Int == 16 << 30)
            let diskOnly = try await sim.json("resize cmd-vm --disk=40 --json")
            #expect(Set(diskOnly.keys) == ["vm_name", "disk_old_bytes", "disk_new_bytes"])
            try await expectError("resize cmd-vm --disk=20GB --json", "--disk must be larger than current size (40 GB)")
            try await expectError("resize ghost-vm --cpu=2 --json", "VM \"ghost-vm\" not found")
            // handleResizeCommand (execore/ssh_command_handlers.go), for an
            // account without sudo: its usage texts; --cpu=0 is not an
            // option; the VM before any size; the disk's plan limit before
            // its current size; the disk grown before --memory is read.
            try await expectError("resize --json", "usage: resize <vmname> --disk=<size>\nDisk size is in GiB (e.g., '25' for 25 GiB). Disk can only be grown, not shrunk.")
            try await expectError(
                "resize cmd-vm --cpu=0 --json",
                "usage: resize <vmname> [--memory=<size>] [--cpu=<count>] [--disk=<size>]\nAt least one of --memory, --cpu, or --disk must be specified.")
            try await expectError("resize ghost-vm --memory=1TB --json", "VM \"ghost-vm\" not found")
            try await expectError("resize cmd-vm --disk=300GB --json", "requested size 300 GB exceeds the 250 GB limit — contact support@exe.dev if you need more")
            try await expectError("resize cmd-vm --disk=50 --memory=1GB --json", "--memory must be at least 2 GB")
            // The disk grew to 50 GB although --memory was refused.
            try await expectError("resize cmd-vm --disk=50 --json", "--disk must be larger than current size (50 GB)")
            let text = try await sim.control("resize cmd-vm --memory=8GB --cpu=4")
            #expect(text.stdout.hasPrefix("Resizing memory to 8 GB and CPU to 4...\nMemory: 16 GB -> 8 GB\n\nConfiguration updated. CPU/memory changes require a full power off"), "\(text.stdout)")
            let keyOrder = try await sim.control("resize cmd-vm --disk=60 --json")
            #expect(keyOrder.stdout.hasPrefix(#"{"disk_new_bytes":"#) && keyOrder.stdout.contains(#""vm_name":"cmd-vm"}"#), "\(keyOrder.stdout)")

            let renamed = try await sim.json("rename cmd-vm cmd-vm-two --json")
            #expect(Set(renamed.keys) == ["old_name", "new_name", "status"] && renamed["status"] as? String == "renamed")
            let same = try await sim.control("rename cmd-vm-two cmd-vm-two --json")
            #expect(same.status == 0 && same.stdout.isEmpty)
            try await expectError("rename cmd-vm cmd-vm-three --json", "vm \"cmd-vm\" not found")
            try await expectError("rename cmd-vm-two BAD --json", "invalid new name: \(VMNameRules.invalidMessage)")
            try await expectError("rename only-one --json", "usage: rename <oldname> <newname>")

            let copied = try await sim.json("cp cmd-vm-two cmd-vm-copy --copy-tags=false --json")
            #expect(Set(copied.keys).isSuperset(of: ["name", "state", "source", "ssh", "elapsed"]))
            #expect(copied["name"] as? String == "cmd-vm-copy" && copied["source"] as? String == "cmd-vm-two")
            try await expectError("cp ghost-vm --json", "vm \"ghost-vm\" not found")
            try await expectError("cp cmd-vm-two cmd-vm-copy --json", "name \"cmd-vm-copy\" is not available")
        }

        @Test func shareCommands() async throws {
            let sim = try sim
            _ = try await sim.newVM("share-vm")
            let show = try await sim.json("share show share-vm --json")
            #expect(Set(show.keys) == ["vm_name", "status", "port", "url", "users", "links", "teams", "team_access", "team_ssh", "team_shelley"])
            #expect(show["status"] as? String == "private" && show["port"] as? Int == 8000)
            let query = try await sim.json("share port share-vm --json")
            #expect(Set(query.keys) == ["vm_name", "port", "share"])
            let set = try await sim.json("share port share-vm 8080 --json")
            #expect(Set(set.keys) == ["vm_name", "port", "share", "team_access", "team_ssh", "team_shelley", "status"])
            #expect(set["port"] as? Int == 8080 && set["status"] as? String == "updated")
            try await expectError("share port share-vm 80 --json", "port must be between 3000 and 9999, got \"80\"")
            let pub = try await sim.json("share set-public share-vm --json")
            #expect(pub["share"] as? String == "public")
            let priv = try await sim.json("share set-private share-vm --json")
            #expect(priv["share"] as? String == "private")
            let added = try await sim.json("share add share-vm friend@example.com --json")
            #expect(Set(added.keys) == ["status", "vm_name", "shared_with", "message"] && added["message"] as? String == "Invitation sent")
            try await expectError("share add share-vm not-an-email --json", "invalid email address: \"not-an-email\"")
            try await expectError("share add share-vm friend@example.com --json", "share-vm is already shared with friend@example.com")
            let removed = try await sim.json("share remove share-vm friend@example.com --json")
            #expect(removed["message"] as? String == "Removed friend@example.com's access")
            // execore/ssh_share.go: the deletes are `:exec` queries, so a second remove succeeds too.
            #expect(try await sim.json("share remove share-vm friend@example.com --json")["status"] as? String == "success")
            let link = try await sim.json("share add-share-link share-vm --json")
            #expect(Set(link.keys) == ["status", "vm_name", "token", "url"])
            let token = try #require(link["token"] as? String)
            #expect((link["url"] as? String)?.hasSuffix("/?share=\(token)") == true)
            let unlinked = try await sim.json("share remove-link share-vm \(token) --json")
            #expect(unlinked["message"] as? String == "Share link removed")
            #expect(try await sim.json("share remove-link share-vm \(token) --json")["message"] as? String == "Share link removed")
            try await expectError("share remove-link ghost-vm \(token) --json", "VM \"ghost-vm\" not found or share link '\(token)' not found")
            let mail = try await sim.json("share receive-email share-vm --json")
            #expect(Set(mail.keys) == ["vm_name", "email_enabled", "email_address"])
            let on = try await sim.json("share receive-email share-vm on --json")
            #expect(on["email_enabled"] as? Bool == true && on["status"] as? String == "success")
            try await expectError("share show ghost-vm --json", "VM \"ghost-vm\" not found or access denied")
        }

        @Test func sshKeysAndRegion() async throws {
            let sim = try sim
            let keyDirectory = try TemporaryDirectory(prefix: "exe-sim-extra-key")
            defer { keyDirectory.remove() }
            let extra = try await SSHKeyPair.generate(type: "ed25519", at: keyDirectory.file("extra"), comment: "")
            let added = try await sim.control("ssh-key add --json", stdin: Data(extra.publicKey.utf8))
            let addedObject = try JSONLines.object(added.stdout)
            #expect(Set(addedObject.keys) == ["public_key", "status", "name"] && addedObject["status"] as? String == "added")
            let name = try #require(addedObject["name"] as? String)
            #expect(name.hasPrefix("key-"))
            // The new key works at once.
            let whoami = try await sim.harness.ssh("whoami --json", key: extra.privatePath)
            #expect(whoami.status == 0)
            try await expectError("ssh-key add \(ShellQuote.word(extra.publicKey)) --json", "this SSH key is already associated with your account")
            try await expectError("ssh-key add not-a-key --json", "invalid SSH public key: ssh: no key found")
            let list = try await sim.json("ssh-key list --json")
            let keys = try #require(list["ssh_keys"] as? [[String: Any]])
            #expect(keys.allSatisfy { Set($0.keys) == ["public_key", "fingerprint", "name", "added_at", "current"] })
            let renamed = try await sim.json("ssh-key rename \(name) laptop --json")
            #expect(Set(renamed.keys) == ["public_key", "fingerprint", "old_name", "new_name", "status"])
            let removed = try await sim.json("ssh-key remove laptop --json")
            #expect(Set(removed.keys) == ["public_key", "fingerprint", "status", "name"] && removed["status"] as? String == "deleted")
            try await expectError("ssh-key remove laptop --json", "no matching SSH key found for \"laptop\"")
            let locked = try await sim.harness.ssh("whoami", key: extra.privatePath)
            #expect(locked.stdout == "Please complete registration by running: ssh exe.dev\n")

            let apiKey = try await sim.json("ssh-key generate-api-key --label=shape-key --cmds=ls,whoami --exp=30d --json")
            #expect(Set(apiKey.keys) == ["label", "token", "namespace", "fingerprint", "expires_at"])
            #expect((apiKey["token"] as? String).map(APIToken.isWellFormed) == true)
            #expect(apiKey["namespace"] as? String == "v0@exe.dev")
            try await expectError("ssh-key generate-api-key --label=shape-key --json", "a key named \"shape-key\" already exists; use a different --label")
            try await expectError("ssh-key generate-api-key --vm=ghost-vm --json", "VM \"ghost-vm\" not found or access denied")

            let region = try await sim.json("set-region fra --json")
            #expect(region["region"] as? String == "fra" && region["region_display"] as? String == "Frankfurt, Germany")
            _ = try await sim.json("set-region lax --json")
        }

        @Test func vmsKeepTheRegionTheyWereCreatedIn() async throws {
            let sim = try sim
            _ = try await sim.json("set-region lax --json")
            _ = try await sim.newVM("region-old")
            _ = try await sim.json("set-region fra --json")
            _ = try await sim.newVM("region-new")
            let copied = try await sim.control("cp region-old region-old-copy --json")
            #expect(copied.status == 0, "\(copied.stdout)")
            let listed = try await sim.json("ls 'region-*' --json")
            _ = try await sim.json("set-region lax --json")
            _ = try await sim.control("rm region-old region-new region-old-copy --json")
            let vms = try #require(listed["vms"] as? [[String: Any]])
            func region(_ name: String) -> [String?] {
                let vm = vms.first { $0["vm_name"] as? String == name }
                return [vm?["region"] as? String, vm?["region_display"] as? String]
            }
            #expect(region("region-old") == ["lax", "Los Angeles, USA"])
            #expect(region("region-new") == ["fra", "Frankfurt, Germany"])
            // A copy stays in its source's region.
            #expect(region("region-old-copy") == ["lax", "Los Angeles, USA"])
        }

        @Test func keyScopeFlagsThatAreNotSimulatedAreRefused() async throws {
            let sim = try sim
            let keyDirectory = try TemporaryDirectory(prefix: "exe-sim-scope-key")
            defer { keyDirectory.remove() }
            let extra = try await SSHKeyPair.generate(type: "ed25519", at: keyDirectory.file("scoped"), comment: "scoped")
            let before = try await sim.control("ssh-key list --json")
            for flag in ["cmds=ls", "vm=some-vm", "tag=prod", "exp=30d"] {
                let name = String(flag.prefix { $0 != "=" })
                try await expectError(
                    "ssh-key add \(ShellQuote.word(extra.publicKey)) --\(flag) --json",
                    "ssh-key add --\(name) is not simulated by exe-sim (key permissions need support privileges on exe.dev)")
            }
            try await expectError("ssh-key generate-api-key --vm=some-vm --tag=prod --json", "--vm and --tag are mutually exclusive")
            // generate-api-key --tag is simulated (SimulatorTokenCLITests); a bad tag gets the server's message.
            try await expectError(
                "ssh-key generate-api-key --label=tagged --tag=Prod --json", #"invalid tag name "Prod": must match [a-z][a-z0-9_-]*"#)
            // Nothing was stored.
            #expect(try await sim.control("ssh-key list --json").stdout == before.stdout)
            // Over HTTPS too.
            let token = try await sim.harness.mintAPIToken(key: sim.key, label: "scope-refusal", cmds: ["ssh-key add"])
            let response = try await sim.harness.exec("ssh-key add \(ShellQuote.word(extra.publicKey)) --tag=prod", token: token)
            #expect(response.status == 422)
            #expect(response.body == #"{"error":"ssh-key add --tag is not simulated by exe-sim (key permissions need support privileges on exe.dev)"}"# + "\n")
            _ = try await sim.control("ssh-key remove scope-refusal --json")
        }

        @Test func keyAddWithArgumentAndStandardInputIsRefused() async throws {
            let sim = try sim
            let keyDirectory = try TemporaryDirectory(prefix: "exe-sim-both-key")
            defer { keyDirectory.remove() }
            let first = try await SSHKeyPair.generate(type: "ed25519", at: keyDirectory.file("first"), comment: "first")
            let second = try await SSHKeyPair.generate(type: "ed25519", at: keyDirectory.file("second"), comment: "second")
            let output = try await sim.control("ssh-key add \(ShellQuote.word(first.publicKey)) --json", stdin: Data(second.publicKey.utf8))
            #expect(output.status != 0)
            #expect(output.stdout == #"{"error":"please provide the SSH public key either as an argument or via stdin, not both"}"# + "\n")
            let keys = try await sim.control("ssh-key list --json").stdout
            #expect(!keys.contains("\"first\"") && !keys.contains("\"second\""))
        }

        @Test func vmScopedAPIKeyHasTheVMNamespace() async throws {
            let sim = try sim
            _ = try await sim.newVM("namespace-vm")
            let key = try await sim.json("ssh-key generate-api-key --vm=namespace-vm --json")
            #expect(key["namespace"] as? String == "v0@namespace-vm.exe.xyz")
            #expect(key["label"] as? String == "api-key-namespace-vm")
            // VM-scoped tokens are for the VM's proxy, not /exec.
            let token = Secret(try #require(key["token"] as? String))
            let response = try await sim.harness.exec("whoami", token: token)
            #expect(response.status == 401 && response.body == #"{"error":"invalid token"}"# + "\n")
            _ = try await sim.control("ssh-key remove api-key-namespace-vm --json")
            _ = try await sim.control("rm namespace-vm --json")
        }

        // execore/ssh_command_handlers.go handleHelpCommand: text mode writes
        // "No help available ..." and succeeds; only --json makes it an error.
        @Test func helpForAnUnknownCommandInTextModeExitsZero() async throws {
            let sim = try sim
            let output = try await sim.control("help nope")
            #expect(output.status == 0)
            #expect(output.stdout == "No help available for unrecognized command: nope\n")
            // `-json` is not `--json`: dropped as a flag, text mode stays.
            let single = try await sim.control("help nope -json")
            #expect(single.status == 0 && single.stdout == "No help available for unrecognized command: nope\n")
        }

        @Test func promptFromStandardInputIsReadUpTo16KiB() async throws {
            let sim = try sim
            let fits = try await sim.control("new --name=prompt-vm --prompt=/dev/stdin --json", stdin: Data(repeating: 0x61, count: 16 * 1024))
            #expect(fits.status == 0, "\(fits.stdout)")
            _ = try await sim.control("rm prompt-vm --json")
            try await expectErrorWithInput(
                "new --name=prompt-big --prompt=/dev/stdin --json", Data(repeating: 0x61, count: 16 * 1024 + 1),
                "--prompt=/dev/stdin: input exceeds 16 KiB limit")
        }

        /// A text-mode refusal: no exit status over SSH (OpenSSH reads 255)
        /// and exactly the server's message.
        func expectTextRefusal(_ command: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let output = try await sim.control(command)
            #expect(output.status == 255, "\(command)", sourceLocation: sourceLocation)
            #expect(output.stdout == message + "\n", "\(command)", sourceLocation: sourceLocation)
        }

        func expectErrorWithInput(_ command: String, _ input: Data, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let output = try await sim.control(command, stdin: input)
            #expect(output.status != 0, "\(command) should fail", sourceLocation: sourceLocation)
            #expect(output.stdout == JSONValue.object([("error", .string(message))]).encoded(escapingHTML: false) + "\n", "\(command)", sourceLocation: sourceLocation)
        }

        /// exemenu/command_system.go: `CMD --help` is `flag.ErrHelp`, answered
        /// by `Command.Help`; `help CMD --json` by `helpJSON`, a Go map
        /// (sorted keys) whose flags come in `flag.VisitAll`'s order (by name).
        @Test func helpIsTheServersForm() async throws {
            let sim = try sim
            let json = try await sim.control("help resize --json")
            #expect(json.stdout == #"{"command":"resize","description":"Resize a VM's resources (memory, CPU, disk)","flags":[{"description":"number of CPUs","name":"cpu"},{"description":"new total disk size (e.g., 25, 25GB) - must be larger than current size","name":"disk"},{"description":"output in JSON format","name":"json"},{"description":"memory allocation (e.g., 4, 4GB, 8G)","name":"memory"}],"usage":"resize <vmname> [--memory=<size>] [--cpu=<count>] [--disk=<size>]"}"# + "\n", "\(json.stdout)")
            let text = try await sim.control("resize --help")
            #expect(text.status == 0)
            // Without a terminal, ANSIFilterWriter (exemenu/command_system.go) strips the
            // emphasis Command.Help writes; tabwriter laid the columns out with it counted.
            #expect(text.stdout.hasPrefix("\nCommand: resize\n\nResize a VM's resources (memory, CPU, disk)\n\nUsage: resize <vmname>"), "\(text.stdout)")
            // tabwriter: the flag column padded to the widest cell ("--memory") plus one space.
            #expect(text.stdout.contains("Options:\n  --cpu    number of CPUs\n  --disk   new total disk size"), "\(text.stdout)")
            #expect(text.stdout.contains("  --memory memory allocation (e.g., 4, 4GB, 8G)\n"), "\(text.stdout)")
            #expect(!text.stdout.contains("\u{1B}"))
            // With a terminal (`ssh -tt`: execore/ssh_server.go picks CRLFWriter for a PTY), the emphasis stays.
            let withTerminal = try await LocalProcessRunner().run(ProcessInvocation(
                "ssh", sim.harness.sshOptions(key: sim.key, port: sim.harness.controlPort)
                    + ["-tt", "\(sim.harness.user)@\(sim.harness.controlHost)", "resize --help"], timeout: .seconds(60)))
            #expect(withTerminal.stdout.contains("\u{1B}[1;33mCommand: resize\u{1B}[0m\r\n"), "\(withTerminal.stdout.debugDescription)")
        }

        /// execore/ssh_integrations_command.go at 7524fcac: `knownIntegrationTypes`
        /// is http-proxy, github and reflection (`notify` is a synthetic
        /// built-in, listed only with push tokens, never added);
        /// handleIntegrationsAdd checks the type, `--team`, then every
        /// `--attach` (parseAttachmentSpec, validateAttachmentSpec) before
        /// the type's handler looks at the name; attach finds the
        /// integration before it reads the spec; rename checks the new name
        /// before it looks up the old one; the built-in `notify` cannot be
        /// removed, renamed, attached or detached.
        @Test func integrationHandlersCheckInTheServersOrderWithItsWording() async throws {
            let sim = try sim
            try await expectTextRefusal("integrations add notify --name=pager", #"unknown integration type "notify" (known types: github, http-proxy, reflection)"#)
            try await expectTextRefusal("integrations add pager --name=x", #"unknown integration type "pager" (known types: github, http-proxy, reflection)"#)
            try await expectTextRefusal("integrations add", "usage: integrations add <type> --name=<name> [args...]")
            try await expectTextRefusal("integrations add reflection", "--name is required")
            // --team, then the attachments, come before the name.
            try await expectTextRefusal("integrations add reflection --team --attach=bogus", "--team requires being in a team")
            try await expectTextRefusal(
                "integrations add reflection --name=BAD --attach=bogus", #"invalid attachment spec "bogus": must be vm:<name>, tag:<name>, or auto:all"#)
            try await expectTextRefusal("integrations add reflection --name=BAD --attach=vm:ghost-vm", #"vm "ghost-vm" not found"#)
            try await expectTextRefusal("integrations add reflection --name=BAD --attach=tag:Prod", #"invalid tag name "Prod": must match ^[a-z][a-z0-9_-]*$"#)
            try await expectTextRefusal("integrations add reflection --name=BAD --attach=auto:all", #"invalid name: name must be lowercase (got "BAD")"#)
            // The type's own checks follow the name's.
            try await expectTextRefusal("integrations add reflection --name=mirror --fields=email,phone", #"unknown reflection field "phone" (valid: email,integrations,tags,comment, all, none)"#)
            try await expectTextRefusal("integrations add github --name=gh", "--repository is required (e.g. owner/repo or owner/repo1,owner/repo2)")
            try await expectTextRefusal("integrations add github --name=gh --repository=a/b,c/d", "all repositories must belong to the same owner")
            try await expectTextRefusal("integrations add github --name=gh --repository=nope", #"--repository "nope" must be in owner/repo format"#)
            try await expectTextRefusal("integrations add github --name=gh --repository=a/b", "no GitHub account connected; run: integrations setup github")
            try await expectTextRefusal(
                "integrations add http-proxy --name=api --target=https://api.example.com --header=X-Api-Key:1 --bearer=2",
                "--header and --bearer are mutually exclusive")
            try await expectTextRefusal("integrations add http-proxy --name=api --target=https://api.example.com --header=Host:evil", #"invalid header: header key "Host" is reserved"#)
            try await expectTextRefusal("integrations add http-proxy --name=api --target=https://api.example.com --header=X-Key:", "invalid header: header value is empty")
            try await expectTextRefusal("integrations add http-proxy --name=api --target=https://api.example.com --header=nocolon", "invalid header: header must be in Key:Value format")

            // A reflection integration: fields sorted, the confirmation and how a VM reaches it.
            let added = try await sim.control("integrations add reflection --name=mirror --fields=tags,email,tags")
            #expect(added.status == 0)
            #expect(added.stdout == """
                Added integration mirror (reflection, fields=email,tags)

                To use this integration, attach it to a VM first:
                  integrations attach mirror vm:<vm-name>

                Usage from a VM:
                  curl https://mirror.int.exe.xyz/

                """, "\(added.stdout)")
            try await expectTextRefusal("integrations attach ghost vm:x", #"integration "ghost" not found"#)
            try await expectTextRefusal("integrations attach mirror vm:ghost-vm", #"vm "ghost-vm" not found"#)
            try await expectTextRefusal("integrations attach mirror bogus", #"invalid attachment spec "bogus": must be vm:<name>, tag:<name>, or auto:all"#)
            #expect(try await sim.control("integrations attach mirror tag:web").stdout == "Attached mirror to tag:web\n")
            try await expectTextRefusal("integrations detach mirror tag:other", "mirror is not attached via tag:other")
            #expect(try await sim.control("integrations detach mirror tag:web").stdout == "Detached mirror from tag:web\n")
            try await expectTextRefusal("integrations attach mirror", "usage: integrations attach <name> <spec>\n  <spec> is vm:<vm-name>, tag:<tag-name>, or auto:all")
            try await expectTextRefusal("integrations rename ghost Bad", #"invalid name: name must be lowercase (got "Bad")"#)
            try await expectTextRefusal("integrations rename ghost reflection", #"name "reflection" is already in use"#)
            try await expectTextRefusal("integrations rename ghost fresh", #"integration "ghost" not found"#)
            for (command, message) in [
                ("remove notify", "notify is a built-in integration and cannot be removed"),
                ("rename notify x", "notify is a built-in integration and cannot be renamed"),
                ("attach notify vm:x", "notify is a built-in integration and is already attached to all VMs"),
                ("detach notify vm:x", "notify is a built-in integration and cannot be detached"),
            ] {
                try await expectTextRefusal("integrations " + command, message)
            }
            // The list: a Go map per item (sorted keys), the reflection config's fields an array.
            let listed = try await sim.control("integrations list --json")
            let line = try #require(listed.stdout.split(separator: "\n").first.map(String.init))
            #expect(line.contains(#"{"attachments":[],"comment":"","config":{"fields":["email","tags"]},"name":"mirror","type":"reflection"}"#), "\(line)")
            let text = try await sim.control("integrations list")
            #expect(text.stdout.contains("mirror  reflection  fields=email,tags  (none)\n"), "\(text.stdout)")
            #expect(text.stdout.contains("reflection  reflection  fields=all  auto:all\n"), "\(text.stdout)")
            // exe.dev/docs/integrations-llm.md: new accounts also get `llm`, a type the source at 7524fcac does not add.
            #expect(text.stdout.contains("llm  llm  {}  auto:all\n"), "\(text.stdout)")
            #expect(listed.stdout.contains(#"{"attachments":["auto:all"],"comment":"","config":{},"name":"llm","type":"llm"}"#), "\(listed.stdout)")
            #expect(try await sim.control("integrations remove mirror").stdout == "Removed integration mirror\n")
        }

        @Test func integrations() async throws {
            let sim = try sim
            let listed = try await sim.control("integrations list --json")
            let items = try #require(try JSONLines.values(listed.stdout).first as? [[String: Any]])
            #expect(items.contains { $0["name"] as? String == "reflection" })
            #expect(items.allSatisfy { Set($0.keys).isSuperset(of: ["name", "type", "config", "attachments", "comment"]) })
            let add = try await sim.control("integrations add http-proxy --name=api --target=https://api.example.com --bearer=s3cret")
            #expect(add.status == 0)
            let again = try await sim.control("int add http-proxy --name=api --target=https://x --bearer=y")
            #expect(again.stdout == "name \"api\" is already in use\n")
            // handleAddHTTPProxy stores a bearer as an Authorization header; the list redacts its value.
            let redacted = try await sim.control("integrations list --json")
            #expect(redacted.stdout.contains(#""config":{"target":"https://api.example.com","header":"Authorization:***"}"#), "\(redacted.stdout)")
            #expect(!redacted.stdout.contains("s3cret"))
            #expect(try await sim.control("integrations attach api tag:prod").status == 0)
            #expect(try await sim.control("integrations attach api tag:prod").stdout == "api is already attached via tag:prod\n")
            #expect(try await sim.control("integrations detach api tag:prod").status == 0)
            #expect(try await sim.control("integrations remove api").status == 0)
            #expect(try await sim.control("integrations remove api").stdout == "integration \"api\" not found\n")
        }

        @Test func scpAndSftpAreRefusedOnTheControlPlane() async throws {
            let sim = try sim
            let output = try await LocalProcessRunner().run(ProcessInvocation(
                "sftp", ["-b", "/dev/null"] + sim.harness.sshOptions(key: sim.key, port: sim.harness.controlPort).map { $0 == "-p" ? "-P" : $0 }
                    + ["\(sim.harness.user)@127.0.0.1"], timeout: .seconds(60)))
            #expect(output.status != 0)
            // OpenSSH's sshd drops a subsystem's stderr, so an sftp client never
            // sees the text (see Docs/exe-sim.md); scp's exec channel does.
            let scp = try await LocalProcessRunner().run(ProcessInvocation(
                "scp", ["-O"] + sim.harness.sshOptions(key: sim.key, port: sim.harness.controlPort).map { $0 == "-p" ? "-P" : $0 }
                    + ["/dev/null", "\(sim.harness.user)@127.0.0.1:/tmp/x"], timeout: .seconds(60)))
            #expect(scp.status != 0)
            #expect(scp.stderr.contains(ControlEntry.fileTransferMessage), "\(scp.stderr)")
        }

        @Test func twentyConcurrentNewWithDistinctNamesAllSucceed() async throws {
            let sim = try sim
            let results = try await withThrowingTaskGroup(of: (Int, ProcessOutput).self) { group in
                for index in 0..<20 {
                    group.addTask { (index, try await sim.control("new --name=burst-\(index) --json")) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (index, output) in results {
                #expect(output.status == 0, "burst-\(index): \(output.stdout)")
            }
            let listed = try await sim.json("ls --json burst-*")
            let vms = try #require(listed["vms"] as? [[String: Any]])
            #expect(vms.count == 20)
            #expect(Set(vms.compactMap { $0["ssh_port"] as? Int }).count == 20)
            #expect(Set(vms.compactMap { $0["https_url"] as? String }).count == 20)
            let names = (0..<20).map { "burst-\($0)" }.joined(separator: " ")
            let removed = try await sim.control("rm \(names) --json")
            #expect(try JSONLines.object(removed.stdout)["failed"] as? [String] == [])
        }

        @Test func tenConcurrentNewWithOneNameExactlyOneWins() async throws {
            let sim = try sim
            let outputs = try await withThrowingTaskGroup(of: ProcessOutput.self) { group in
                for _ in 0..<10 { group.addTask { try await sim.control("new --name=contested --json") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outputs.filter { $0.status == 0 }.count == 1)
            let losers = outputs.filter { $0.status != 0 }
            #expect(losers.count == 9)
            #expect(losers.allSatisfy { $0.stdout == "{\"error\":\"VM name \\\"contested\\\" is not available\"}\n" })
            let listed = try await sim.json("ls --json contested")
            #expect((listed["vms"] as? [Any])?.count == 1)
        }
    }
}
