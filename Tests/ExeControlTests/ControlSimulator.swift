import ExeControl
import ExeSSH
import ExeSystem
import ExeTestSupport
import Foundation
import Synchronization
import Testing

/// Every suite that drives a real `exe-sim`: one simulator for all of them,
/// started when the first one begins and stopped (by pid, through
/// `exe-sim down`) after the last, one test at a time.
@Suite(.controlSimulator, .serialized)
enum SimulatorEndToEnd {}

/// The transport a test drives the simulator through.
enum Via: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case ssh
    case https

    var testDescription: String { rawValue }

    /// A VM name unique to this transport (`ssh-base`, `https-base`), so the
    /// two runs of a parameterized test never collide.
    func name(_ base: String) -> String { "\(rawValue)-\(base)" }
}

/// A running simulator with a registered key and a client over SSH.
final class ControlSimulator: Sendable {
    let harness: SimulatorHarness
    let keys: TemporaryDirectory
    /// The registered key.
    let key: SSHKeyPair
    /// A client over SSH with the registered key, shared by the tests.
    let ssh: ControlClient
    private let labels = Mutex(0)

    private init(harness: SimulatorHarness, keys: TemporaryDirectory, key: SSHKeyPair) {
        self.harness = harness
        self.keys = keys
        self.key = key
        ssh = Self.sshClient(harness, identity: key.privatePath)
    }

    static func start() async throws -> ControlSimulator {
        let keys = try TemporaryDirectory(prefix: "exe-control-e2e")
        do {
            let key = try await SSHKeyPair.generate(type: "ed25519", at: keys.file("client"), comment: "e2e-key")
            let harness = try await SimulatorHarness.start(authorizedKeys: [key.publicPath])
            return ControlSimulator(harness: harness, keys: keys, key: key)
        } catch {
            keys.remove()
            throw error
        }
    }

    func stop() async throws {
        await ssh.close()
        defer { keys.remove() }
        try await harness.stop()
    }

    static func sshClient(_ harness: SimulatorHarness, identity: String) -> ControlClient {
        ControlClient(transport: SSHControlTransport(configuration: .init(
            destination: harness.controlDestination, ssh: harness.clientConfiguration(identity: identity),
            commandTimeout: .seconds(60))))
    }

    /// A fresh SSH client (its own connection) with the private key `identity`.
    func sshClient(identity: String) -> ControlClient { Self.sshClient(harness, identity: identity) }

    /// A label no other token of this run has.
    func uniqueLabel(_ prefix: String) -> String {
        let number = labels.withLock { value in
            value += 1
            return value
        }
        return "\(prefix)-\(number)"
    }

    /// An HTTPS client whose token (minted over SSH through the library)
    /// may run exactly `commands`.
    func httpsClient(commands: [String], label: String? = nil) async throws -> ControlClient {
        let key = try await ssh.sshKeys.generateAPIKey(
            APIKeyOptions(label: label ?? uniqueLabel("e2e-token"), commands: commands))
        return try ControlClient(configuration: .https(.init(
            endpoint: try #require(URL(string: harness.apiURL)), token: key.token,
            rateLimitRetry: .init(maxRetries: 5, maxWait: .seconds(5)))))
    }

    /// Runs `body` with a client over `via` (HTTPS: a token for `commands`),
    /// closing an HTTPS client afterwards.
    func withClient<T>(
        _ via: Via, commands: [String], _ body: (ControlClient) async throws -> T
    ) async throws -> T {
        switch via {
        case .ssh:
            return try await body(ssh)
        case .https:
            let client = try await httpsClient(commands: commands)
            do {
                let result = try await body(client)
                await client.close()
                return result
            } catch {
                await client.close()
                throw error
            }
        }
    }

    /// The simulator's record of the VM `name` in `state.json` (what it
    /// stored, independent of what any command prints).
    func storedVM(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: harness.stateDirectory + "/state.json"))
        let state = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let vms = try #require(state["vms"] as? [[String: Any]])
        return try #require(vms.first { $0["name"] as? String == name }, "no VM \(name) in state.json")
    }
}

/// The simulator of the running suites.
enum ControlSimulatorScope {
    @TaskLocal static var current: ControlSimulator?

    static var simulator: ControlSimulator {
        get throws { try #require(current, "the suite must be nested in SimulatorEndToEnd") }
    }
}

/// Starts one simulator for a suite (and everything nested in it) and
/// stops it when the suite ends, even when a test failed. Holds
/// ``SimulatorGate`` meanwhile, so simulators of other modules wait.
struct ControlSimulatorTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await SimulatorGate.withTurn(label: test.name, start: ControlSimulator.start, stop: { try await $0.stop() }) { simulator in
            try await ControlSimulatorScope.$current.withValue(simulator) { try await function() }
        }
    }
}

extension Trait where Self == ControlSimulatorTrait {
    /// One simulator for the suite and its nested suites.
    static var controlSimulator: Self { ControlSimulatorTrait() }
}

/// Whether `error` is a ``ControlError`` of `kind` (and, when given, with
/// exactly `message`).
func isControlError(_ error: any Error, _ kind: ControlError.Kind, message: String? = nil) -> Bool {
    guard let error = error as? ControlError, error.kind == kind else { return false }
    return message.map { error.message == $0 } ?? true
}
