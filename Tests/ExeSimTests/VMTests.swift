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
