import Exe
import ExeControl
import ExeDeploy
import ExeLease
import ExeSSH
import ExeSystem
import Foundation

/// The library user's task, step by step. Settings come from the
/// environment so that the same program runs against exe.dev and exe-sim:
/// EXE_CONTROL_HOST (default exe.dev), EXE_IDENTITY, EXE_KNOWN_HOSTS,
/// EXE_VM_PROXY (exe-sim's address for VM URLs),
/// EXE_EXAMPLE_APP (a directory with a Dockerfile, such as Examples/hello)
/// and the EXE_DEPLOY_* settings the deploy needs (image repository, registry user).
@main
struct LibraryExample {
    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("library-example: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let ssh = SSHSettingsResolver(identity: environment["EXE_IDENTITY"], knownHosts: environment["EXE_KNOWN_HOSTS"])
        let configuration = ExeConfiguration(
            controlHost: environment["EXE_CONTROL_HOST"] ?? "exe.dev", ssh: ssh, vmURLAddress: environment["EXE_VM_PROXY"])
        let name = "library-example-\(UInt16.random(in: 1000...9999))"

        try await ExeSession.with(configuration) { exe in
            // The account and the VMs.
            let account = try await exe.control.whoami()
            print("signed in as \(account.email)")
            print("VMs before: \(try await exe.control.list().vms.map(\.name).sorted())")

            // A VM, and a command on it.
            let vm = try await exe.control.create(NewVMOptions(name: name))
            print("created \(vm.name) (\(vm.status.map { "\($0)" } ?? "status unknown"))")
            do {
                // For its first moments exe.dev's lobby answers a new VM's address.
                try await exe.vms.waitUntilReady(vm)
                let uname = try await exe.vms.withHost(vm) { host in
                    try await host.run("uname -s && echo \"ready\"", check: true).stdout
                }
                print("on \(vm.name): \(uname.split(separator: "\n").joined(separator: " "))")

                // Pattern B: the app in EXE_EXAMPLE_APP, built, pushed and run with docker compose on the VM.
                if let app = environment["EXE_EXAMPLE_APP"] {
                    var overrides = DeployOverrides()
                    overrides.pattern = .compose
                    overrides.vm = vm.name
                    overrides.app = name
                    // Resolved as exe-cli does (exe.deploy.yaml, EXE_DEPLOY_*, the overrides), with where each setting came from.
                    let resolution = try DeployConfiguration.resolve(
                        overrides: overrides, repositoryRoot: app, environment: environment, hostName: LocalHostName.current())
                    let fromFile = resolution.rows.filter { if case .file = $0.source { true } else { false } }.map(\.name)
                    print("deploy settings from \(resolution.files.first ?? "no file"): \(fromFile.joined(separator: ", "))")
                    let report = try await exe.deployer(resolution.value).deploy()
                    print("deployed \(report.image ?? "?") to \(report.vm): \(report.outcome)")
                }

                // A lease: warm up, sync a work tree, run a command, stop.
                let work = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: work) }
                try Data("synced by ExeLease\n".utf8).write(to: URL(fileURLWithPath: work + "/note.txt"))
                // Lease settings made in code: plain values, defaults for the rest.
                let leaseSettings = LeaseSettings(controlHost: configuration.controlHost, size: LeaseVMSize(), ttl: .seconds(30 * 60))
                let leases = exe.leases(
                    settings: leaseSettings, repositoryRoot: work,
                    claims: LeaseClaimStore(directory: work + "/.claims"))
                let claim = try await leases.warmup(WarmupRequest(slug: "example"))
                print("leased \(claim.vmName)")
                let output = OutputCollector()
                let result = try await leases.run(LeaseRunRequest(lease: claim.identity.id, arguments: ["cat", "note.txt"])) {
                    output.append($0)
                }
                print("lease run: \(output.text.trimmingCharacters(in: .whitespacesAndNewlines)) (\(result.status.map { "\($0)" } ?? "no status"))")
                let stopped = try await leases.stop([claim.identity.id])
                print("lease stop: \(stopped.map { "\($0.result)" }.joined(separator: ", "))")
                guard result.status == .exited(0) else { throw ExampleFailure("the lease's command failed") }
            } catch {
                try? await exe.control.remove(vm.name)
                throw error
            }
            try await exe.control.remove(vm.name)
            print("removed \(vm.name)")
        }
    }
}

/// A failed step of the example.
struct ExampleFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects a command's standard output from the lease's output callback.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ event: CommandOutputEvent) {
        if case .stdout(let chunk) = event { lock.withLock { data.append(chunk) } }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
