import ExeSim
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorSuites {
    /// VMs: their own sshd, files isolated in a private mount namespace, SFTP,
    /// and the lifecycle commands acting on real processes.
    @Suite(.sharedSimulator, .serialized, .timeLimit(.minutes(4)))
    struct VMTests {
        var sim: SimulatorFixture { get throws { try SimulatorScope.fixture } }

        @Test func filesOfOneVMAreInvisibleInAnother() async throws {
            let sim = try sim
            async let first = sim.newVM("iso-alpha")
            async let second = sim.newVM("iso-beta")
            let (alpha, beta) = try await (first, second)
            let write = try await sim.onVM(alpha, "echo alpha-secret > /data/secret && echo tmp > /tmp/t && echo home > ~/h && cat /data/secret")
            #expect(write.status == 0 && write.stdout == "alpha-secret\n", "\(write.stderr)")
            let look = try await sim.onVM(beta, "ls -A /data /tmp ~; cat /data/secret 2>&1 || true")
            #expect(!look.stdout.contains("alpha-secret"))
            #expect(look.stdout.contains("No such file"))
            let again = try await sim.onVM(alpha, "cat /data/secret /tmp/t ~/h; echo $HOME; command -v docker sudo")
            #expect(again.stdout.hasPrefix("alpha-secret\ntmp\nhome\n"))
            #expect(again.stdout.contains("/run/exe-sim/bin/docker"))
            let sudo = try await sim.onVM(alpha, "sudo -n sh -c 'echo via-sudo'")
            #expect(sudo.stdout == "via-sudo\n")
        }

        /// exe.dev's proxy reaches a VM's port by dialing `http://127.0.0.1:PORT`
        /// inside the VM through an SSH tunnel (`exeweb/proxy.go`; "127.0.0.1
        /// inside VM", `exeweb/exeweb.go`), and each VM is a machine of its own
        /// (docs/content/proxy.md). So a process a VM serves on localhost is
        /// that VM's alone: reached at its URL and through its SSH forwards,
        /// never as another VM's localhost, and two VMs can both use port 8000.
        @Test func eachVMHasItsOwnLocalhost() async throws {
            let sim = try sim
            try #require(sim.harness.isolatesVMNetworks, "exe-sim gives each VM its own network only as root, with ip netns")
            async let first = sim.newVM("net-alpha")
            async let second = sim.newVM("net-beta")
            let (alpha, beta) = try await (first, second)
            for (vm, page) in [(alpha, "alpha-page"), (beta, "beta-page")] {
                let started = try await sim.onVM(
                    vm, "mkdir -p /data/www && echo \(page) > /data/www/index.html && busybox httpd -p 127.0.0.1:8000 -h /data/www && echo started")
                #expect(started.stdout == "started\n", "\(started.stderr)")
            }
            #expect(try await sim.onVM(alpha, "curl -s -m 5 http://localhost:8000/").stdout == "alpha-page\n")
            #expect(try await sim.onVM(beta, "curl -s -m 5 http://127.0.0.1:8000/").stdout == "beta-page\n")

            // The URL serves the process (exeuntu's port is 8000), not a container.
            for (vm, page) in [(alpha, "alpha-page"), (beta, "beta-page")] {
                let name = try #require(vm["vm_name"] as? String)
                _ = try await sim.json("share set-public \(name) --json")
                let url = try #require(vm["https_url"] as? String)
                let served = try await LocalProcessRunner().run(ProcessInvocation(
                    "curl", ["-s", "-m", "10"] + sim.harness.curlConnectTo + [url + "/"], timeout: .seconds(20)))
                #expect(served.stdout == page + "\n", "\(url): \(served.stdout)")
            }

            // ssh -W (a direct-tcpip channel, as `lease tunnel` opens) reaches the VM's own localhost.
            let port = try #require(alpha["ssh_port"] as? Int)
            let forwarded = try await LocalProcessRunner().run(ProcessInvocation(
                "ssh", sim.harness.sshOptions(key: sim.key, port: port) + ["-W", "127.0.0.1:8000", "\(sim.harness.user)@127.0.0.1"],
                standardInput: Data("GET / HTTP/1.0\r\n\r\n".utf8), timeout: .seconds(30)))
            #expect(forwarded.stdout.hasSuffix("alpha-page\n"), "\(forwarded.stdout)\(forwarded.stderr)")

            // Another VM's address on the host is not on this VM's loopback (refused: curl's 7)...
            let betaPort = try #require(beta["ssh_port"] as? Int)
            let probe = try await sim.onVM(alpha, "curl -s -m 5 -o /dev/null telnet://127.0.0.1:\(betaPort) </dev/null; echo rc=$?")
            #expect(probe.stdout == "rc=7\n", "\(probe.stderr)")
            // ...but the simulator's own services are, as exe.dev and registries are reachable from a VM.
            let registry = try await sim.onVM(alpha, "curl -s -m 5 -o /dev/null -w '%{http_code}' http://\(sim.harness.registry)/v2/")
            #expect(registry.stdout == "401", "\(registry.stderr)")
        }

        @Test func sftpToAVM() async throws {
            let sim = try sim
            let vm = try await sim.newVM("sftp-vm")
            let port = try #require(vm["ssh_port"] as? Int)
            let local = try sim.harness.directory.write("upload.txt", "uploaded over sftp\n")
            let batch = try sim.harness.directory.write("batch.txt", "put \(local) /data/upload.txt\nget /data/upload.txt \(local).back\n")
            let options = sim.harness.sshOptions(key: sim.key, port: port).map { $0 == "-p" ? "-P" : $0 }
            let output = try await LocalProcessRunner().run(ProcessInvocation(
                "sftp", ["-b", batch] + options + ["\(sim.harness.user)@127.0.0.1"], timeout: .seconds(60)))
            #expect(output.status == 0, "\(output.stderr)")
            let check = try await sim.onVM(vm, "cat /data/upload.txt")
            #expect(check.stdout == "uploaded over sftp\n")
            #expect(try String(contentsOfFile: local + ".back", encoding: .utf8) == "uploaded over sftp\n")
        }

        @Test func renameKeepsTheVMWorkingAndRestartStopsItsProcesses() async throws {
            let sim = try sim
            let vm = try await sim.newVM("keep-alpha")
            _ = try await sim.onVM(vm, "echo kept > /data/kept")
            _ = try await sim.json("rename keep-alpha keep-beta --json")
            let after = try await sim.onVM(vm, "cat /data/kept")
            #expect(after.stdout == "kept\n")
            let listed = try await sim.json("ls --json keep-beta")
            #expect((listed["vms"] as? [[String: Any]])?.first?["ssh_port"] as? Int == vm["ssh_port"] as? Int)

            let started = try await sim.onVM(vm, "nohup sleep 300 >/dev/null 2>&1 & echo $!")
            let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(ProcessTree.isAlive(pid))
            _ = try await sim.json("restart keep-beta --json")
            #expect(!ProcessTree.isAlive(pid))
            let afterRestart = try await sim.onVM(vm, "cat /data/kept")
            #expect(afterRestart.stdout == "kept\n")
        }

        @Test func copyCarriesFilesAndTags() async throws {
            let sim = try sim
            let source = try await sim.newVM("copy-src", extra: "--tag=blue")
            _ = try await sim.onVM(source, "echo copied > /data/file")
            _ = try await sim.json("cp copy-src copy-dst --json")
            _ = try await sim.json("cp copy-src copy-bare --copy-tags=false --json")
            let listed = try await sim.json("ls --json copy-*")
            let vms = try #require(listed["vms"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: vms.map { ($0["vm_name"] as? String ?? "", $0) })
            #expect(byName["copy-dst"]?["tags"] as? [String] == ["blue"])
            #expect(byName["copy-bare"]?["tags"] == nil)
            let copy = try #require(byName["copy-dst"])
            let read = try await sim.onVM(copy, "cat /data/file")
            #expect(read.stdout == "copied\n")
            _ = try await sim.onVM(copy, "echo changed > /data/file")
            let original = try await sim.onVM(source, "cat /data/file")
            #expect(original.stdout == "copied\n")
        }

        @Test func removeStopsTheVM() async throws {
            let sim = try sim
            let vm = try await sim.newVM("gone-vm")
            let port = try #require(vm["ssh_port"] as? Int)
            #expect(try await sim.onVM(vm, "true").status == 0)
            _ = try await sim.control("rm gone-vm --json")
            #expect(!LoopbackSocket.isListening(port))
            let listed = try await sim.json("ls --json gone-vm")
            #expect((listed["vms"] as? [Any])?.isEmpty == true)
        }

        @Test func unregisteredKeysCannotLogInToVMs() async throws {
            let sim = try sim
            let vm = try await sim.newVM("locked-vm")
            let port = try #require(vm["ssh_port"] as? Int)
            let output = try await sim.harness.ssh(port: port, "true", key: sim.strangerKey)
            #expect(output.status == 255)
        }

        @Test func setupScriptRunsOnceInsideTheVM() async throws {
            let sim = try sim
            let vm = try await sim.newVM("setup-vm", extra: "--setup-script='echo ready > /data/setup-done'")
            let output = try await sim.onVM(vm, "cat /data/setup-done")
            #expect(output.stdout == "ready\n")
        }
    }
}
