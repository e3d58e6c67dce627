import ExeControl
import ExeSystem
import ExeTestSupport
import Foundation
import Testing

extension SimulatorEndToEnd {
    /// What the simulator stores is byte for byte what the caller passed:
    /// random comments, `--env` values and setup scripts full of shell
    /// metacharacters, sent over SSH (a command line for the server's shell
    /// lexer) and over HTTPS (the same line as a `POST /exec` body).
    ///
    /// The seed is random unless `EXE_PROPERTY_SEED` is set, and every
    /// failure message carries it: rerun with `EXE_PROPERTY_SEED=<seed>`.
    @Suite(.timeLimit(.minutes(3)))
    struct QuotingPropertyTests {
        var sim: ControlSimulator { get throws { try ControlSimulatorScope.simulator } }

        static let seed: UInt64 = ProcessInfo.processInfo.environment["EXE_PROPERTY_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)

        /// Comments may hold anything but tabs, line breaks, control and
        /// bidi/zero-width characters, and `< > & " ' \``.
        static let commentPieces: [String] = [
            " ", "  ", "$(", ")", "$(id)", "${HOME}", "$HOME", "\\", "\\\\", "\\n", ";", "|",
            "*", "?", "[a]", "{}", "~", "#", "!", "%", "^", "=", ",", ".", ":", "@", "+", "-", "--", "_", "/", "(", ")",
            "é", "e\u{301}", "中文", "🚀", "ß", "Ω", "\u{00A0}x", "ü", "—", "a", "b", "Z", "0", "9", "word", "rm -rf /",
        ]

        /// Env values may hold everything a command line can carry (all but NUL).
        static let environmentPieces: [String] = commentPieces + [
            "'", "\"", "`", "`id`", "'\\''", "\"$(id)\"", "<", ">", "&", "\n", "\t", "\r\n", "\r", "=", "==", "\u{7F}",
            "\u{1B}[31m", "\u{200B}", "\u{202E}", "$'\\x41'", "\\'",
        ]

        static func text(_ pieces: [String], maxPieces: Int, using generator: inout SeededGenerator) -> String {
            let count = Int.random(in: 0...maxPieces, using: &generator)
            return (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }

        /// A comment the server accepts: at most 200 bytes once trimmed, and
        /// not ending or starting in a way the trim would change beyond spaces.
        static func comment(using generator: inout SeededGenerator) -> String {
            var comment = text(commentPieces, maxPieces: 24, using: &generator)
            while comment.trimmingCharacters(in: .whitespaces).utf8.count > VMComment.maximumBytes {
                comment.removeLast()
            }
            return comment
        }

        static let commands = ["new", "comment", "ls", "rm"]

        /// `count` clients over `via`: over SSH the one shared connection
        /// (the commands run concurrently on it); over HTTPS one token each,
        /// so each has its own rate-limit bucket (60 requests).
        static func clients(_ sim: ControlSimulator, _ via: Via, count: Int) async throws -> [ControlClient] {
            switch via {
            case .ssh: return Array(repeating: sim.ssh, count: count)
            case .https:
                var clients: [ControlClient] = []
                for _ in 0..<count { clients.append(try await sim.httpsClient(commands: commands)) }
                return clients
            }
        }

        static func close(_ clients: [ControlClient], _ via: Via) async {
            guard via == .https else { return }
            for client in clients { await client.close() }
        }

        @Test("a few hundred random comments arrive byte for byte (comment and new --comment)", arguments: Via.allCases)
        func comments(_ via: Via) async throws {
            let sim = try sim
            let seed = Self.seed
            var generator = SeededGenerator(seed: seed)
            let workers = 4
            let perWorker = 50
            var plans: [(vm: String, comments: [String])] = []
            for worker in 0..<workers {
                plans.append((via.name("quote-comment-\(worker)"), (0..<perWorker).map { _ in Self.comment(using: &generator) }))
            }
            let clients = try await Self.clients(sim, via, count: workers)
            do {
                for (plan, client) in zip(plans, clients) {
                    _ = try await client.create(NewVMOptions(name: plan.vm, comment: plan.comments[0]))
                }
                // Each worker sets its VM's comment, concurrently with the others.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (plan, client) in zip(plans, clients) {
                        group.addTask {
                            let first = try sim.storedVM(plan.vm)["comment"] as? String
                            #expect(Array((first ?? "").utf8) == Array(plan.comments[0].trimmingCharacters(in: .whitespaces).utf8),
                                    "\(via): new --comment \(String(reflecting: plan.comments[0])) (seed \(seed))")
                            for comment in plan.comments.dropFirst() {
                                let expected = comment.trimmingCharacters(in: .whitespaces)
                                let result = try await client.setComment(plan.vm, comment)
                                let stored = try sim.storedVM(plan.vm)["comment"] as? String
                                #expect(Array(result.comment.utf8) == Array(expected.utf8),
                                        "\(via): comment \(String(reflecting: comment)) came back as \(String(reflecting: result.comment)) (seed \(seed))")
                                #expect(Array((stored ?? "").utf8) == Array(expected.utf8),
                                        "\(via): comment \(String(reflecting: comment)) stored as \(String(reflecting: stored)) (seed \(seed))")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // ls --json reads back the last one, decoded.
                for (plan, client) in zip(plans, clients) {
                    let listed = try await client.vm(named: plan.vm)
                    let expected = plan.comments.last!.trimmingCharacters(in: .whitespacesAndNewlines)
                    #expect(Array((listed?.comment ?? "").utf8) == Array(expected.utf8), "\(via): ls --json comment (seed \(seed))")
                }
                let removal = try await clients[0].remove(plans.map(\.vm))
                #expect(removal.isComplete)
            } catch {
                await Self.close(clients, via)
                throw error
            }
            await Self.close(clients, via)
        }

        @Test("a comment with a trailing line break is trimmed, as Go's strings.TrimSpace does", arguments: Via.allCases)
        func commentTrimmedOfLineBreaks(_ via: Via) async throws {
            let sim = try sim
            let name = via.name("quote-trim")
            try await sim.withClient(via, commands: Self.commands) { client in
                _ = try await client.create(NewVMOptions(name: name))
                // The client accepts it (its check trims first), and so does the server.
                try VMComment.validate("trimmed\n")
                let result = try await client.setComment(name, "trimmed\n")
                #expect(result.comment == "trimmed")
                try await client.remove(name)
            }
        }

        @Test("a few hundred random --env values (plain and secret) and setup scripts arrive byte for byte", arguments: Via.allCases)
        func environmentAndScripts(_ via: Via) async throws {
            let sim = try sim
            let seed = Self.seed &+ 1
            var generator = SeededGenerator(seed: seed)
            let vmCount = 8
            let variablesPerVM = 25
            var plans: [(name: String, variables: [EnvironmentVariable], expected: [String], script: String)] = []
            for index in 0..<vmCount {
                var variables: [EnvironmentVariable] = []
                var expected: [String] = []
                for number in 0..<variablesPerVM {
                    let name = "VAR_\(number)_" + String((0..<Int.random(in: 0...4, using: &generator)).map { _ in
                        "ABCXYZ019_".randomElement(using: &generator)!
                    })
                    let value = Self.text(Self.environmentPieces, maxPieces: 16, using: &generator)
                    variables.append(Bool.random(using: &generator) ? .init(name: name, value: value) : .init(name: name, secret: Secret(value)))
                    expected.append(name + "=" + value)
                }
                // `exit 0` first: the script runs in the VM, and the rest is noise.
                let script = "exit 0\n" + Self.text(Self.environmentPieces, maxPieces: 40, using: &generator)
                plans.append((via.name("quote-env-\(index)"), variables, expected, script))
            }
            let clients = try await Self.clients(sim, via, count: 2)
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let halves = [Array(plans.prefix(vmCount / 2)), Array(plans.suffix(vmCount - vmCount / 2))]
                    for (slice, client) in zip(halves, clients) {
                        group.addTask {
                            for plan in slice {
                                _ = try await client.create(NewVMOptions(name: plan.name, setupScript: plan.script, environment: plan.variables))
                                let stored = try sim.storedVM(plan.name)
                                let environment = try #require(stored["environment"] as? [String], "seed \(seed)")
                                #expect(environment.count == plan.expected.count, "\(via): seed \(seed)")
                                for (got, want) in zip(environment, plan.expected) {
                                    #expect(Array(got.utf8) == Array(want.utf8),
                                            "\(via): --env \(String(reflecting: want)) stored as \(String(reflecting: got)) (seed \(seed))")
                                }
                                let script = stored["setupScript"] as? String
                                #expect(Array((script ?? "").utf8) == Array(plan.script.utf8),
                                        "\(via): --setup-script \(String(reflecting: plan.script)) stored as \(String(reflecting: script)) (seed \(seed))")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let removal = try await clients[0].remove(plans.map(\.name))
                #expect(removal.isComplete)
            } catch {
                await Self.close(clients, via)
                throw error
            }
            await Self.close(clients, via)
        }
    }
}

/// SplitMix64: a small, fast, seedable generator, so a failing run can be
/// repeated exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
