import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorEndToEnd {
    /// The VM commands of ``ControlClient`` against a real `exe-sim`, over
    /// SSH and over HTTPS.
    @Suite(.timeLimit(.minutes(3)))
    struct VMCommandTests {
        var sim: ControlSimulator { get throws { try ControlSimulatorScope.simulator } }

        static let vmCommands = ["ls", "new", "rm", "restart", "rename", "tag", "comment", "stat", "cp", "resize"]

        @Test("new with every flag the simulator runs without a registry, ls with filters, VM endpoints", arguments: Via.allCases)
        func createAndList(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.vmCommands) { client in
                let front = via.name("front-one")
                let back = via.name("back-two")
                let token = Secret("s3cr3t 'quoted' $(id) `x` \\ ;")
                let script = "echo 'set up' > /tmp/setup-ran\nprintf 'a\\tb\\n' >> /tmp/setup-ran\n"
                let vm = try await client.create(NewVMOptions(
                    name: front, command: "auto", memory: try ByteSize("4GB"), disk: ByteSize(gibibytes: 20), cpus: 4,
                    setupScript: script, comment: "front end; $(id) \\ ok",
                    environment: [.init(name: "GREETING", value: "hello world"), .init(name: "TOKEN", secret: token)],
                    tags: ["\(via.rawValue)-web", "\(via.rawValue)-prod", "\(via.rawValue)-web"], integrations: ["reflection"]))
                #expect(vm.name == front)
                #expect(vm.tags == ["\(via.rawValue)-prod", "\(via.rawValue)-web"])
                #expect(vm.sshHost == "127.0.0.1")
                #expect(vm.sshUser == sim.harness.user)
                #expect(vm.proxyPort == 8000)
                #expect(vm.httpsURL == "http://\(front).exe-sim.localhost")
                let port = try #require(vm.sshPort)

                // What the simulator stored, byte for byte.
                let stored = try sim.storedVM(front)
                #expect(stored["environment"] as? [String] == ["GREETING=hello world", "TOKEN=" + token.reveal()])
                #expect(stored["setupScript"] as? String == script)
                #expect(stored["comment"] as? String == "front end; $(id) \\ ok")
                #expect(stored["memoryBytes"] as? Int == 4 << 30)
                #expect(stored["diskBytes"] as? Int == 20 << 30)
                #expect(stored["cpus"] as? Int == 4)
                #expect(stored["integrations"] as? [String] == ["reflection"])

                _ = try await client.create(NewVMOptions(name: back, tags: ["\(via.rawValue)-db"]))

                let all = try await client.list()
                #expect(Set(all.vms.map(\.name)).isSuperset(of: [front, back]))
                #expect(all.vms.filter { $0.name == front || $0.name == back }.allSatisfy { $0.status == .running })
                #expect(all.teamVMs.isEmpty)
                #expect(try await client.list([front]).vms.map(\.name) == [front])
                #expect(try await client.list(["\(via.rawValue)-prod"]).vms.map(\.name) == [front])
                #expect(try await client.list(["\(via.rawValue)-*-two"]).vms.map(\.name) == [back])
                #expect(try await client.list(["\(via.rawValue)-d?", front + ".exe.xyz", front]).vms.map(\.name) == [back, front])
                #expect(try await client.list(["\(via.rawValue)-nothing-*"]).vms.isEmpty)
                #expect(try await client.list([front], includeTeam: true).vms.map(\.name) == [front])

                let listed = try #require(try await client.vm(named: front))
                #expect(listed.comment == "front end; $(id) \\ ok")
                #expect(listed.tags == ["\(via.rawValue)-prod", "\(via.rawValue)-web"])
                #expect(listed.memoryCapacityBytes == 4 << 30)
                #expect(listed.diskCapacityBytes == 20 << 30)
                #expect(listed.allocatedCPUs == 4)
                #expect(listed.region == "lax")
                #expect(listed.createdAt != nil)
                #expect(try await client.vm(named: via.name("never-made")) == nil)

                // The endpoint the layers above use to reach the VM works.
                let destination = listed.sshDestination(defaultUser: "nobody")
                #expect(destination == SSHDestination(host: "127.0.0.1", port: port, user: sim.harness.user))
                let connection = try await SSHConnection.connect(
                    to: destination, configuration: sim.harness.clientConfiguration(identity: sim.key.privatePath))
                let result = try await connection.run("echo reached")
                await connection.close()
                #expect(result.standardOutput == Data("reached\n".utf8))

                let removal = try await client.remove([front, back])
                #expect(removal.deleted == [front, back])
                #expect(removal.isComplete && removal.failures.isEmpty)
            }
        }

        @Test("restart, tag and untag, comment, stat, resize, cp, rename", arguments: Via.allCases)
        func changeVMs(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.vmCommands) { client in
                let name = via.name("change-me")
                _ = try await client.create(NewVMOptions(name: name, comment: "first", tags: ["one"]))

                let restarted = try await client.restart(name)
                #expect(restarted.name == name && restarted.status == "restarted")

                #expect(try await client.tag(name, ["two", "three"]).tags == ["one", "three", "two"])
                #expect(try await client.untag(name, ["one"]).tags == ["three", "two"])

                let commented = try await client.setComment(name, "  second; $(x) \\ é  ")
                #expect(commented.name == name && commented.comment == "second; $(x) \\ é")
                #expect(try await client.vm(named: name)?.comment == "second; $(x) \\ é")

                let day = try await client.stat(name)
                #expect(day.name == name && day.range == "24h" && !day.points.isEmpty)
                #expect(day.points.first?.cpuCores != nil && day.points.first?.timestamp != nil)
                #expect(try await client.stat(name, range: .month).range == "30d")

                let resized = try await client.resize(name, ResizeOptions(memory: try ByteSize("4GB"), cpus: 3, disk: ByteSize(gibibytes: 30)))
                #expect(resized.name == name)
                #expect(resized.oldMemory == 8 << 30 && resized.newMemory == 4 << 30)
                #expect(resized.oldCPUs == 2 && resized.newCPUs == 3)
                #expect(resized.oldDiskBytes == 25 << 30 && resized.newDiskBytes == 30 << 30)
                let diskOnly = try await client.resize(name, ResizeOptions(disk: ByteSize(gibibytes: 31)))
                #expect(diskOnly.newDiskBytes == 31 << 30 && diskOnly.newMemory == nil && diskOnly.newCPUs == nil)

                let copyName = via.name("change-copy")
                let copy = try await client.copy(name, as: copyName)
                #expect(copy.name == copyName && copy.source == name)
                #expect(copy.sshPort != nil && copy.sshHost == "127.0.0.1")
                #expect(copy.vm.sshDestination(defaultUser: "nobody").port == copy.sshPort)
                let copied = try #require(try await client.vm(named: copyName))
                #expect(copied.tags == ["three", "two"] && copied.comment == "second; $(x) \\ é")
                #expect(copied.diskCapacityBytes == 31 << 30)

                let bareName = via.name("change-bare")
                let bare = try await client.copy(name, as: bareName, options: CopyOptions(copyTags: false, disk: ByteSize(gibibytes: 40), cpus: 1))
                #expect(bare.name == bareName)
                let bareVM = try #require(try await client.vm(named: bareName))
                #expect(bareVM.tags.isEmpty && bareVM.diskCapacityBytes == 40 << 30 && bareVM.allocatedCPUs == 1)

                let renamedName = via.name("changed")
                let renamed = try await client.rename(name, to: renamedName)
                #expect(renamed.oldName == name && renamed.newName == renamedName && renamed.status == "renamed")
                let unchanged = try await client.rename(renamedName, to: renamedName)
                #expect(unchanged.status == "unchanged")
                #expect(try await client.vm(named: name) == nil)
                #expect(try await client.vm(named: renamedName)?.tags == ["three", "two"])

                #expect(try await client.setComment(renamedName, "").comment == "")
                #expect(try await client.vm(named: renamedName)?.comment == nil)

                let removal = try await client.remove([renamedName, copyName, bareName])
                #expect(removal.deleted == [renamedName, copyName, bareName] && removal.isComplete)
            }
        }

        @Test("rm of several VMs reports each one: deleted, or why not", arguments: Via.allCases)
        func removeSeveral(_ via: Via) async throws {
            let sim = try sim
            try await sim.withClient(via, commands: Self.vmCommands) { client in
                let names = ["rm-a", "rm-b", "rm-c"].map(via.name)
                for name in names { _ = try await client.create(NewVMOptions(name: name)) }
                let ghost = via.name("rm-ghost")
                let result = try await client.remove([names[0], ghost, names[1] + ".exe.xyz", names[2]])
                #expect(result.deleted == names)
                #expect(result.failed == [ghost])
                #expect(!result.isComplete)
                let failure = try #require(result.failures.first)
                #expect(result.failures.count == 1)
                #expect(failure.name == ghost)
                #expect(failure.kind == .notFound)
                #expect(failure.message == "VM \"\(ghost)\" not found")
                #expect(try await client.list(["\(via.rawValue)-rm-*"]).vms.isEmpty)

                // One VM: its failure is thrown.
                await #expect { try await client.remove(ghost) } throws: {
                    isControlError($0, .notFound, message: "VM \"\(ghost)\" not found")
                }
                let single = via.name("rm-single")
                _ = try await client.create(NewVMOptions(name: single))
                try await client.remove(single)
                #expect(try await client.vm(named: single) == nil)
            }
        }
    }
}
