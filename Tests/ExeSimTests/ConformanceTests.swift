import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// Facts read from the real server's source (commit 7524fcac), one per
    /// test, each naming the file it comes from; driven through OpenSSH.
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct ConformanceTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        /// `ssh -v` to the control plane: the debug log shows the channel requests.
        func verboseControl(_ command: String) async throws -> ProcessOutput {
            let sim = try sim
            let harness = sim.harness
            return try await LocalProcessRunner().run(ProcessInvocation(
                "ssh", ["-v"] + harness.sshOptions(key: sim.key, port: harness.controlPort) + ["\(harness.user)@\(harness.controlHost)", command],
                timeout: .seconds(60)))
        }

        // execore/ssh_server.go handleExec: for rc > 0 it calls s.Close()
        // before s.Exit(rc), so no exit-status is sent; OpenSSH exits 255.
        @Test func aFailedCommandClosesTheChannelWithoutExitStatus() async throws {
            let failed = try await verboseControl("comment no-such-vm hello")
            #expect(failed.status == 255)
            #expect(failed.stdout == "vm \"no-such-vm\" not found\n")
            #expect(!failed.stderr.contains("exit-status"))
            let json = try await verboseControl("comment no-such-vm hello --json")
            #expect(json.status == 255)
            #expect(json.stdout == #"{"error":"vm \"no-such-vm\" not found"}"# + "\n")
            #expect(!json.stderr.contains("exit-status"))
            let succeeded = try await verboseControl("whoami")
            #expect(succeeded.status == 0)
            #expect(succeeded.stderr.contains("rtype exit-status"))
        }

        // execore/ssh_server.go handleExec: an unregistered key gets
        // s.Exit(1) without the early Close, so the status 1 arrives.
        @Test func anUnregisteredKeyStillGetsExitStatusOne() async throws {
            let sim = try sim
            let output = try await sim.harness.ssh("whoami", key: sim.strangerKey)
            #expect(output.status == 1)
            #expect(output.stdout == "Please complete registration by running: ssh exe.dev\n")
        }

        // gliderlabs/ssh Session.Command splits with anmitsu/go-shlex, which
        // drops empty words; execore/ssh_comment_command.go needs two
        // arguments, trims the text, and an all-blank text clears it.
        @Test func anEmptyWordVanishesSoABlankWordClearsAComment() async throws {
            let sim = try sim
            _ = try await sim.newVM("lexer-vm")
            _ = try await sim.json("comment lexer-vm hello --json")
            let empty = try await sim.control("comment lexer-vm '' --json")
            #expect(empty.status != 0)
            #expect(empty.stdout == #"{"error":"usage: comment <hostname> <text>"}"# + "\n")
            let kept = try await sim.json("ls lexer-vm --json")
            #expect(((kept["vms"] as? [[String: Any]])?.first?["comment"] as? String) == "hello")
            let blank = try await sim.json("comment lexer-vm ' ' --json")
            #expect(blank["comment"] as? String == "")
            _ = try await sim.control("rm lexer-vm --json")
        }

        // bin/exe-ssh-config-generator and execore/piper.go: every VM is
        // reached through exe.dev's SSH proxy and presents its host key, so
        // known_hosts holds no line per VM and HostKeyAlias finds the key.
        @Test func everyVMPresentsTheControlPlaneHostKey() async throws {
            let sim = try sim
            let harness = sim.harness
            let vm = try await sim.newVM("hostkey-vm")
            let port = try #require(vm["ssh_port"] as? Int)
            let known = try String(contentsOfFile: harness.knownHostsPath, encoding: .utf8)
            #expect(!known.contains("[127.0.0.1]:\(port) "))
            let scan = try await LocalProcessRunner().run(ProcessInvocation(
                "ssh-keyscan", ["-t", "ed25519", "-p", String(port), "127.0.0.1"], timeout: .seconds(30)))
            let presented = try #require(scan.stdout.split(separator: "\n").first { !$0.hasPrefix("#") }?.split(separator: " "))
            let control = try #require(known.split(separator: "\n").first { $0.hasPrefix("[127.0.0.1]:\(harness.controlPort) ssh-ed25519 ") }?.split(separator: " "))
            #expect(presented.count == 3 && presented[2] == control[2])
            // Strict checking under the VM's own name finds nothing...
            let plain = try await LocalProcessRunner().run(ProcessInvocation(
                "ssh", [
                    "-F", "/dev/null", "-o", "UserKnownHostsFile=\(harness.knownHostsPath)", "-o", "StrictHostKeyChecking=yes",
                    "-o", "BatchMode=yes", "-i", sim.key, "-p", String(port), "\(harness.user)@127.0.0.1", "true",
                ], timeout: .seconds(60)))
            #expect(plain.status == 255)
            #expect(plain.stderr.contains("Host key verification failed"))
            // ...and under the control host's name (HostKeyAlias) it is known.
            #expect(try await sim.onVM(vm, "true").status == 0)
            _ = try await sim.control("rm hostkey-vm --json")
        }

        // execore/exe.go setupSSHServer: a default ssh.ServerConfig of
        // golang.org/x/crypto v0.49.0 (go.mod); VMs are reached through
        // sshpiperd, whose downstream algorithms default to the same lists
        // (deps/sshpiper/cmd/sshpiperd/daemon.go newDaemon,
        // deps/sshpiper/crypto/ssh/common.go defaultKexAlgos). Neither
        // offers sntrup761x25519-sha512, OpenSSH's first choice.
        @Test func keyExchangeIsGosDefaultsOnTheControlPlaneAndVMs() async throws {
            let sim = try sim
            let harness = sim.harness
            let vm = try await sim.newVM("kex-vm")
            let vmPort = try #require(vm["ssh_port"] as? Int)
            for port in [harness.controlPort, vmPort] {
                let chosen = try await LocalProcessRunner().run(ProcessInvocation(
                    "ssh", ["-o", "LogLevel=DEBUG1"] + harness.sshOptions(key: sim.key, port: port) + ["\(harness.user)@\(harness.controlHost)", "true"],
                    timeout: .seconds(60)))
                let kex = chosen.stderr.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("debug1: kex: algorithm: ") }
                #expect(kex == ["debug1: kex: algorithm: curve25519-sha256"], "port \(port): \(chosen.stderr)")
                let postQuantum = try await LocalProcessRunner().run(ProcessInvocation(
                    "ssh", ["-o", "LogLevel=INFO", "-o", "KexAlgorithms=sntrup761x25519-sha512"] + harness.sshOptions(key: sim.key, port: port)
                        + ["\(harness.user)@\(harness.controlHost)", "true"],
                    timeout: .seconds(60)))
                #expect(postQuantum.status == 255, "port \(port)")
                #expect(postQuantum.stderr.contains("no matching key exchange method found"), "port \(port): \(postQuantum.stderr)")
                let groupFourteen = try await LocalProcessRunner().run(ProcessInvocation(
                    "ssh", ["-o", "KexAlgorithms=diffie-hellman-group14-sha256", "-o", "Ciphers=aes256-ctr", "-o", "MACs=hmac-sha2-512"]
                        + harness.sshOptions(key: sim.key, port: port) + ["\(harness.user)@\(harness.controlHost)", "true"],
                    timeout: .seconds(60)))
                #expect(groupFourteen.status == 0, "port \(port): \(groupFourteen.stderr)")
            }
            _ = try await sim.control("rm kex-vm --json")
        }

        // execore/integration_validate.go validateTargetURL, checked by
        // handleAddHTTPProxy (execore/ssh_integrations_command.go).
        @Test func anHTTPProxyTargetMustBeHTTPSWithAHostName() async throws {
            let sim = try sim
            let cases: [(String, String)] = [
                ("http://api.example.com", #"target URL scheme must be https, got \"http\""#),
                ("https://10.1.2.3", "target URL must use a hostname, not an IP address"),
                ("https://localhost", "target URL must not point to localhost"),
                ("https://printer.local", "target URL must not use a .local domain"),
                ("https://api.example.com/v1", #"target URL must not contain a path (got \"/v1\"); the proxy appends the request path automatically"#),
            ]
            for (target, message) in cases {
                let output = try await sim.control("integrations add http-proxy --name=target-check --target=\(target)")
                #expect(output.status == 255, "\(target)")
                #expect(output.stdout == message.replacingOccurrences(of: #"\""#, with: "\"") + "\n", "\(target)")
            }
            let missingHeader = try await sim.control("integrations add http-proxy --name=target-check --target=https://api.example.com")
            #expect(missingHeader.stdout == "--header (or --bearer) is required\n")
            let listed = try await sim.control("integrations list --json")
            #expect(!listed.stdout.contains("target-check"))
        }

        // execore/integration_validate.go validateIntegrationName, reported
        // by handleAddHTTPProxy as "invalid name: ...".
        @Test func integrationNamesFollowTheServerRules() async throws {
            let sim = try sim
            let cases: [(String, String)] = [
                ("exe-mine", #"invalid name: names starting with "exe-" are reserved"#),
                ("notify", #"invalid name: name "notify" is reserved for the built-in notification integration"#),
                ("Upper", #"invalid name: name must be lowercase (got "Upper")"#),
                ("-edge", "invalid name: name must not start or end with a hyphen"),
                ("a_b", "invalid name: name contains invalid character '_'; use lowercase letters, digits, and hyphens"),
            ]
            for (name, message) in cases {
                let output = try await sim.control("integrations add http-proxy --name=\(name) --target=https://api.example.com")
                #expect(output.status == 255, "\(name)")
                #expect(output.stdout == message + "\n", "\(name)")
            }
        }
    
        // exedb/query/boxes.sql BoxesForUser: ORDER BY updated_at DESC, id DESC
        // (whole seconds); execore/ssh_command_handlers.go handleListCommand sorts
        // only a filtered list by name. SetBoxComment sets updated_at.
        @Test func unfilteredListIsOrderedByLastUpdate() async throws {
            let sim = try sim
            _ = try await sim.newVM("order-b")
            _ = try await sim.newVM("order-a")
            func names(_ command: String) async throws -> [String] {
                let listed = try await sim.json(command)
                return ((listed["vms"] as? [[String: Any]]) ?? []).compactMap { $0["vm_name"] as? String }.filter { $0.hasPrefix("order-") }
            }
            #expect(try await names("ls --json") == ["order-a", "order-b"])
            #expect(try await names("ls order-b order-a --json") == ["order-a", "order-b"])
            try await Task.sleep(for: .milliseconds(1100))
            _ = try await sim.json("comment order-b touched --json")
            #expect(try await names("ls --json") == ["order-b", "order-a"])
            #expect(try await names("ls order-b order-a --json") == ["order-a", "order-b"])
            _ = try await sim.control("rm order-a order-b --json")
        }

        // execore/ssh_key_command.go: a tag-scoped caller lists, removes and
        // renames only keys of its own tag ("Tag-scoped keys can only ...");
        // rename runs sshkey.SanitizeComment (sshkey/comment.go) on the new
        // name and reports the key's previous name as old_name.
        @Test func sshKeyCommandsFollowTheHandlers() async throws {
            let sim = try sim
            let harness = sim.harness
            let scoped = try await harness.ssh("ssh-key generate-api-key --json --label=conf-ci --tag=conf '--cmds=ssh-key list,ssh-key remove,ssh-key rename'", key: sim.key)
            let token = Secret(try #require((try JSONSerialization.jsonObject(with: scoped.standardOutput) as? [String: Any])?["token"] as? String))
            _ = try await harness.ssh("ssh-key generate-api-key --json --label=conf-ci-2 --tag=conf", key: sim.key)
            _ = try await harness.ssh("ssh-key generate-api-key --json --label=conf-other", key: sim.key)

            let listed = try await harness.exec("ssh-key list --json", token: token)
            #expect(listed.status == 200, "\(listed.body)")
            let names = ((try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [String: Any])?["ssh_keys"] as? [[String: Any]] ?? [])
                .compactMap { $0["name"] as? String }
            #expect(Set(names) == ["conf-ci", "conf-ci-2"], "a tag-scoped key sees only its tag's keys: \(names)")
            let hiddenRemove = try await harness.exec("ssh-key remove conf-other", token: token)
            #expect(hiddenRemove.status != 200 && hiddenRemove.body.contains("no matching SSH key found for") && hiddenRemove.body.contains("conf-other"), "\(hiddenRemove.body)")
            let hiddenRename = try await harness.exec("ssh-key rename conf-other stolen", token: token)
            #expect(hiddenRename.status != 200 && hiddenRename.body.contains("no matching SSH key found for") && hiddenRename.body.contains("conf-other"), "\(hiddenRename.body)")

            let renamed = try await sim.json("ssh-key rename conf-ci-2 'my key; $(x)' --json")
            #expect(renamed["old_name"] as? String == "conf-ci-2" && renamed["new_name"] as? String == "my-key-x", "\(renamed)")
            let empty = try await sim.control("ssh-key rename my-key-x ';$|'")
            #expect(empty.stdout == "new name is empty (special characters like ; | $ are removed)\n", "\(empty.stdout)")
            let taken = try await sim.control("ssh-key rename my-key-x conf-other")
            #expect(taken.stdout == "a key named \"conf-other\" already exists\n", "\(taken.stdout)")
            let nothing = try await sim.control("ssh-key remove ' '")
            #expect(nothing.stdout == "please specify a key to remove (name, fingerprint, or full public key)\n", "\(nothing.stdout)")
            for name in ["conf-ci", "my-key-x", "conf-other"] {
                #expect(try await sim.control("ssh-key remove \(name)").status == 0, "\(name)")
            }
        }

        // execore/ssh_command_handlers.go handleDeleteCommand: a repeated name
        // is skipped (the seen map), failures are reported line by line, and
        // the handler returns nil: exit status 0 even when a name failed.
        // execore/ssh_new_command.go handleNewCommand checks in this order:
        // --tag, --comment, --env, --integration, the image name
        // (container/helpers.go ValidateImageName), --prompt with the image,
        // sizes (parseSize in execore/ssh_command_handlers.go), then the
        // name and whether it is free; the image is pulled after all that.
        // `--cpu` is a Uint flag read as `if cpuVal > 0`: 0 keeps the default.
        @Test func newChecksRunInTheHandlersOrder() async throws {
            let sim = try sim
            func error(_ command: String) async throws -> String {
                let output = try await sim.control(command + " --json")
                #expect(output.status != 0, "\(command) must fail")
                let object = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
                return object?["error"] as? String ?? output.stdout
            }
            #expect(try await error("new --name=Bad_Name --memory=1GB") == "--memory must be at least 2 GB")
            #expect(try await error("new --name=Bad_Name --memory=lots") == #"invalid --memory value: invalid size: "lots""#)
            #expect(try await error("new --disk=1.5") == #"invalid --disk value: unknown unit: """#)
            #expect(try await error("new --comment='a<b' --tag=BAD").hasPrefix("--tag invalid tag name"))
            #expect(try await error("new --integration=nope --env=NOEQUALS").hasPrefix("invalid environment variable format"))
            #expect(try await error("new --image=localhost:5000/app --integration=nope") == #"integration "nope" not found"#)
            #expect(try await error("new --image=localhost:5000/app --memory=1GB") == #"invalid image: image name "localhost:5000/app" is not valid"#)
            #expect(try await error("new --image=127.0.0.1:5000/app") == #"invalid image: image name "127.0.0.1:5000/app" is not valid"#)
            #expect(try await error("new --image=LocalHost/app") == #"invalid image: image name "LocalHost/app" is not valid"#)
            #expect(try await error("new --image=docker://app") == #"invalid image: image name "docker://app" is not valid"#)
            #expect(try await error("new --image=") == "invalid image: image name cannot be empty")
            #expect(try await error("new --prompt=hi --image=busybox --cpu=64") == "--prompt can only be used with the exeuntu image")
            #expect(try await error("new --name=Bad_Name --cpu=64") == "--cpu cannot exceed 8")
            _ = try await sim.newVM("order-taken")
            // A free name is checked before the image is pulled: no pull of
            // an image the registry does not have.
            #expect(try await error("new --name=order-taken --image=\(sim.harness.registry)/absent:1") == #"VM name "order-taken" is not available"#)
            let zeroCPU = try await sim.json("new --name=order-zero-cpu --cpu=0 --json")
            #expect(zeroCPU["vm_name"] as? String == "order-zero-cpu")
            _ = try await sim.control("rm order-taken order-zero-cpu")
        }

        // execore/ssh_rename_command.go: the new name is validated as typed
        // (boxname.Valid; no `.exe.xyz` stripped), and whether it is free is
        // checked before whether the VM runs. execore/ssh_tag_command.go:
        // the usage text and formatTagList's `Added tag "a" to VM`.
        @Test func renameAndTagFollowTheirHandlers() async throws {
            let sim = try sim
            _ = try await sim.newVM("rename-src")
            _ = try await sim.newVM("rename-taken")
            let dotted = try await sim.control("rename rename-src rename-dst.exe.xyz --json")
            #expect(dotted.status != 0)
            #expect(dotted.stdout == #"{"error":"invalid new name: \#(VMNameRules.invalidMessage)"}"# + "\n", "\(dotted.stdout)")
            #expect(try await sim.control("pause rename-src").status == 0)
            let taken = try await sim.control("rename rename-src rename-taken --json")
            #expect(taken.stdout == #"{"error":"name \"rename-taken\" is not available"}"# + "\n", "\(taken.stdout)")
            let paused = try await sim.control("rename rename-src rename-free --json")
            #expect(paused.stdout == #"{"error":"vm rename not supported when vm is not running!"}"# + "\n", "\(paused.stdout)")
            #expect(try await sim.control("resume rename-src").status == 0)

            let usage = try await sim.control("tag rename-src")
            #expect(usage.stdout == "usage: tag [-d] <vm> <tag-name> [tag-name...]\n")
            #expect(try await sim.control("tag rename-src alpha").stdout == "Added tag \"alpha\" to rename-src\n")
            #expect(try await sim.control("tag rename-src beta gamma").stdout == "Added tags \"beta\", \"gamma\" to rename-src\n")
            #expect(try await sim.control("tag -d rename-src alpha").stdout == "Removed tag \"alpha\" from rename-src\n")
            // exemenu/command_system.go moves flags first and takes the word
            // after a flag without `=` as its value: `-d rename-src` then stops
            // Go's flag parsing at `rename-src`, so `--json` becomes a tag.
            // ExeControl renders positionals first, flags after (`tag VM T -d --json`).
            let quirk = try await sim.control("tag -d rename-src beta --json")
            #expect(quirk.stdout == "invalid tag name \"--json\": must match [a-z][a-z0-9_-]*\n", "\(quirk.stdout)")
            let json = try await sim.control("tag rename-src beta -d --json")
            #expect(json.stdout == #"{"tags":["gamma"],"vm_name":"rename-src"}"# + "\n", "\(json.status) \(json.stdout)")
            _ = try await sim.control("rm rename-src rename-taken")
        }

        @Test func removeSkipsRepeatedNamesAndSucceedsWithFailures() async throws {
            let sim = try sim
            _ = try await sim.newVM("rm-twice")
            let json = try await sim.control("rm rm-twice rm-twice ghost-box --json")
            #expect(json.status == 0, "\(json.stderr)")
            #expect(json.stdout == #"{"error":"VM \"ghost-box\" not found"}"# + "\n" + #"{"deleted":["rm-twice"],"failed":["ghost-box"]}"# + "\n")
            let text = try await sim.control("rm ghost-box")
            #expect(text.status == 0 && text.stdout == "VM \"ghost-box\" not found\n", "\(text.status) \(text.stdout)")
        }
    }
}
