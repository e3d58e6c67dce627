import ExeFuzzTargets
import Foundation
import Testing

/// The seeded random-and-mutation fuzzer (Fuzz/Targets/MutationFuzzer.swift)
/// over every parser of untrusted input, for a bounded time in the normal
/// test run: a trap kills the test process and fails the build; an input
/// that takes more than a second is reported. The seed is fixed so a
/// failure reproduces; `EXE_FUZZ_SEED` picks another, `EXE_FUZZ_SECONDS`
/// the time per target (Fuzz/README.md).
@Suite struct SeededFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["EXE_FUZZ_SEED"].flatMap(UInt64.init) ?? 19
    static let seconds = environment["EXE_FUZZ_SECONDS"].flatMap(Int.init) ?? 3

    @Test(arguments: FuzzTarget.allCases)
    func parserSurvivesMutatedInput(_ target: FuzzTarget) {
        let corpus = target.seeds + FuzzCorpus.inputs(target, root: Self.root)
        var fuzzer = MutationFuzzer(seed: Self.seed &+ UInt64(FuzzTarget.allCases.firstIndex(of: target) ?? 0), corpus: corpus)
        let summary = fuzzer.run(target, inputs: 50_000, budget: .seconds(Self.seconds))
        #expect(summary.inputs >= corpus.count + 50, "\(target.rawValue): only \(summary.inputs) inputs ran")
        #expect(
            summary.slowest < .seconds(1),
            "\(target.rawValue): one input took \(summary.slowest): \(summary.slowestInput.prefix(200).base64EncodedString())")
    }

    /// Every committed corpus directory belongs to a target, and every
    /// target has one, so `Fuzz/build.sh` has seeds for each.
    @Test func corpusDirectoriesMatchTargets() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/Fuzz/Corpus").sorted()
        #expect(names == FuzzTarget.allCases.map(\.rawValue).sorted())
        for target in FuzzTarget.allCases {
            #expect(!FuzzCorpus.inputs(target, root: Self.root).isEmpty, "\(target.rawValue) has no corpus")
        }
    }
}
