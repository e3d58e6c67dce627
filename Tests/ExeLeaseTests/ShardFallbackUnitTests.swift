import ExeControl
import ExeLease
import ExeSSH
import ExeSystem
import ExeTestSupport
import ExeTesting
import Foundation
import Synchronization
import Testing

/// Sharded runs when `cp` fails (issue 14: "A copy that fails to start is
/// retried once, then its shard runs on a fresh lease; no shard is silently
/// skipped"), against a scripted control plane that refuses every `cp`.
/// exe-sim's `cp` does not fail on demand, so this path is tested here; the
/// copy path itself is tested through exe-cli in `ShardedLeaseCLITests`.
@Suite struct ShardFallbackUnitTests {
    @Test("every cp refused: each copy is tried twice, then its shard runs on a fresh lease; all three shards run, all leases removed")
    func copyFailureFallsBackToFreshLeases() async throws {
        let directory = try TemporaryDirectory(prefix: "shard-unit")
        defer { directory.remove() }
        let vm = LeaseUnitTests.readyVM()
        let seen = Mutex<[String]>([])
        // The run wrapper (Scripts/run.sh) gets the words after its own four arguments.
        vm.answer(containing: " with-environment sh run-tests") { call in
            let stdin = String(decoding: call.stdin, as: UTF8.self)
            let index = stdin.split(separator: "\n").first { $0.hasPrefix("export EXE_SHARD_INDEX=") }.map(String.init) ?? "none"
            seen.withLock { $0.append(index + " " + call.command.components(separatedBy: " with-environment ").last!) }
            return .exited(0, stdout: "ok\n")
        }
        let control = ScriptedControlTransport { line in
            if line.hasPrefix("ls") { return ScriptedControlTransport.emptyList }
            if line.hasPrefix("new "), let name = line.split(separator: " ").first(where: { $0.hasPrefix("--name=") })?.dropFirst(7) {
                return .prints(#"{"vm_name":"\#(name)","tags":[],"ssh_dest":"\#(name).exe.xyz","ssh_port":22,"https_url":"https://\#(name).exe.xyz"}"#)
            }
            if line.hasPrefix("rm ") {
                return .prints(#"{"deleted":["\#(line.split(separator: " ")[1])"],"failed":[]}"#)
            }
            if line.hasPrefix("cp ") { return ScriptedControlTransport.refusal("copying is broken today") }
            return ScriptedControlTransport.refusal("not scripted: \(line)")
        }
        let leases = try LeaseUnitTests.leases(control: control, vms: InMemoryVMConnector(fallback: vm), in: directory)
        var run = LeaseRunRequest(lease: nil, arguments: ["sh", "run-tests", "--part={index}/{total}"])
        run.sync = false
        let result = try await leases.runSharded(ShardedRunRequest(run: run, shards: 3)) { _, _ in }

        #expect(result.shards.map(\.status) == [.passed, .passed, .passed], "\(result.shards.map(\.status))")
        #expect(result.shards.map(\.origin) == [.base, .freshLease, .freshLease])
        #expect(result.exitCode == 0 && !result.interrupted && result.cleanupFailure == nil)
        let copies = control.commandLines.filter { $0.hasPrefix("cp ") }
        #expect(copies.count == 4, "two tries for each of two copies: \(copies)")
        #expect(copies.allSatisfy { $0.contains("--standalone") && $0.contains("--copy-tags=false") }, "\(copies)")
        #expect(control.commandLines.filter { $0.hasPrefix("new ") }.count == 3, "a base and two fresh leases: \(control.commandLines)")
        #expect(Set(seen.withLock { $0 }) == [
            "export EXE_SHARD_INDEX=1 sh run-tests --part=1/3", "export EXE_SHARD_INDEX=2 sh run-tests --part=2/3",
            "export EXE_SHARD_INDEX=3 sh run-tests --part=3/3",
        ])
        #expect(result.removed.count == 3 && control.commandLines.filter { $0.hasPrefix("rm ") }.count == 3, "\(control.commandLines)")
        #expect(leases.context.claims.all().claims.isEmpty)
    }

    @Test("cp refused and fresh warmups refused too: the shard is reported as an error, never skipped, and the run exits 1")
    func noLeaseAtAllIsAnError() async throws {
        let directory = try TemporaryDirectory(prefix: "shard-unit")
        defer { directory.remove() }
        let vm = LeaseUnitTests.readyVM()
        vm.answer(containing: "-environment run-tests") { _ in .exited(0) }
        let created = Mutex(0)
        let control = ScriptedControlTransport { line in
            if line.hasPrefix("ls") { return ScriptedControlTransport.emptyList }
            if line.hasPrefix("new "), let name = line.split(separator: " ").first(where: { $0.hasPrefix("--name=") })?.dropFirst(7) {
                guard created.withLock({ count in count += 1; return count == 1 }) else { return ScriptedControlTransport.refusal("out of VMs") }
                return .prints(#"{"vm_name":"\#(name)","tags":[],"ssh_dest":"\#(name).exe.xyz","ssh_port":22,"https_url":"https://\#(name).exe.xyz"}"#)
            }
            if line.hasPrefix("rm ") {
                return .prints(#"{"deleted":["\#(line.split(separator: " ")[1])"],"failed":[]}"#)
            }
            return ScriptedControlTransport.refusal("not today: \(line)")
        }
        let leases = try LeaseUnitTests.leases(control: control, vms: InMemoryVMConnector(fallback: vm), in: directory)
        var run = LeaseRunRequest(lease: nil, arguments: ["run-tests", "--shard={index}"])
        run.sync = false
        let result = try await leases.runSharded(ShardedRunRequest(run: run, shards: 2)) { _, _ in }
        #expect(result.shards.count == 2)
        #expect(result.shards[0].status == .passed)
        guard case .error(let message) = result.shards[1].status else {
            Issue.record("shard 2: \(result.shards[1].status)")
            return
        }
        #expect(message.contains("copying failed") && message.contains("out of VMs"), "\(message)")
        #expect(result.exitCode == 1)
        #expect(result.removed.count == 1 && leases.context.claims.all().claims.isEmpty)
    }
}
