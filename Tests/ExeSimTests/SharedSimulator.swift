import ExeSystem
import ExeTestSupport
import Foundation
import Testing

/// A simulator and client keys shared by the tests of one suite.
final class SimulatorFixture: Sendable {
    let harness: SimulatorHarness
    let keys: TemporaryDirectory
    /// The registered client key (private key path).
    let key: String
    /// A key that is not registered.
    let strangerKey: String

    init(harness: SimulatorHarness, keys: TemporaryDirectory, key: String, strangerKey: String) {
        self.harness = harness
        self.keys = keys
        self.key = key
        self.strangerKey = strangerKey
    }

    static func start(environment: [String: String] = [:]) async throws -> SimulatorFixture {
        let keys = try TemporaryDirectory(prefix: "exe-sim-keys")
        async let registered = SSHKeyPair.generate(type: "ed25519", at: keys.file("client"), comment: "test-key")
        async let stranger = SSHKeyPair.generate(type: "ed25519", at: keys.file("stranger"))
        let (key, other) = try await (registered, stranger)
        let harness = try await SimulatorHarness.start(authorizedKeys: [key.publicPath], environment: environment)
        return SimulatorFixture(harness: harness, keys: keys, key: key.privatePath, strangerKey: other.privatePath)
    }

    func stop() async throws {
        try await harness.stop()
        keys.remove()
    }

    /// Runs a control command with the registered key.
    func control(_ command: String, stdin: Data? = nil) async throws -> ProcessOutput {
        try await harness.ssh(command, key: key, standardInput: stdin)
    }

    /// Runs a control command and decodes its single JSON object.
    func json(_ command: String, file: String = #filePath, line: Int = #line) async throws -> [String: Any] {
        let output = try await control(command)
        try #require(output.status == 0, "\(command): status \(output.status): \(output.stdout)\(output.stderr)")
        return try JSONLines.object(output.stdout)
    }

    /// Creates a VM and returns its `new --json` object.
    func newVM(_ name: String, extra: String = "") async throws -> [String: Any] {
        try await json("new --name=\(name) --json \(extra)")
    }

    /// Runs a command on a VM.
    func onVM(_ vm: [String: Any], _ command: String, stdin: Data? = nil) async throws -> ProcessOutput {
        let port = try #require(vm["ssh_port"] as? Int)
        return try await harness.ssh(port: port, command, key: key, standardInput: stdin)
    }
}

/// The fixture of the running suite.
enum SimulatorScope {
    @TaskLocal static var current: SimulatorFixture?

    static var fixture: SimulatorFixture {
        get throws { try #require(current, "the suite needs the .sharedSimulator trait") }
    }
}

/// Starts one simulator for a whole suite and stops it (by pid, through
/// `exe-sim down`) when the suite ends, even when a test failed. Holds
/// ``SimulatorGate`` meanwhile.
struct SharedSimulator: SuiteTrait, TestScoping {
    var environment: [String: String] = [:]
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // Simulators of other test modules (ExeControlTests, exe-cliTests) wait.
        let environment = self.environment
        try await SimulatorGate.withTurn(
            label: test.name, start: { try await SimulatorFixture.start(environment: environment) }, stop: { try await $0.stop() }
        ) { fixture in
            try await SimulatorScope.$current.withValue(fixture) { try await function() }
        }
    }
}

extension Trait where Self == SharedSimulator {
    /// One simulator for the suite.
    static var sharedSimulator: Self { SharedSimulator() }
}

/// Splitting command output into JSON values.
enum JSONLines {
    static func values(_ text: String) throws -> [Any] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) }
    }

    static func object(_ text: String) throws -> [String: Any] {
        let values = try values(text)
        try #require(values.count == 1, "expected one JSON value, got: \(text)")
        return try #require(values[0] as? [String: Any], "not an object: \(text)")
    }

    /// The keys of a JSON object line, in order of appearance.
    static func keys(_ object: [String: Any]) -> Set<String> { Set(object.keys) }
}
