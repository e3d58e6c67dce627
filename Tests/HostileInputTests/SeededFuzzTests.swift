import ExeFuzzTargets
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The seeded random-and-mutation fuzzer (Fuzz/Targets/MutationFuzzer.swift)
/// over every parser of untrusted input, for a bounded time in the normal
/// test run: a trap kills the test process and fails the build; an input
/// that takes more than a second is reported. The seed is fixed so a
/// failure reproduces; `EXE_FUZZ_SEED` picks another, `EXE_FUZZ_SECONDS`
/// the time per target (Fuzz/README.md).
///
/// Each target runs on a thread of its own, outside Swift's cooperative
/// pool (two threads on a two-core machine, which a CPU-bound loop would
/// hold), at the lowest priority (nice 19), as many at once as there are
/// cores. The budget is the thread's CPU time (``ThreadCPUTime``), so the
/// fuzzer does the same work as on an idle machine, in the time the
/// simulator suites leave idle, and does not slow their deadlines.
@Suite struct SeededFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["EXE_FUZZ_SEED"].flatMap(UInt64.init) ?? 19
    static let seconds = environment["EXE_FUZZ_SECONDS"].flatMap(Int.init) ?? 3

    @Test(arguments: FuzzTarget.allCases)
    func parserSurvivesMutatedInput(_ target: FuzzTarget) async {
        let corpus = target.seeds + FuzzCorpus.inputs(target, root: Self.root)
        let seed = Self.seed &+ UInt64(FuzzTarget.allCases.firstIndex(of: target) ?? 0)
        let seconds = Self.seconds
        let summary = await Self.onOwnThread {
            var fuzzer = MutationFuzzer(seed: seed, corpus: corpus)
            return fuzzer.run(target, inputs: 50_000, budget: .seconds(seconds))
        }
        #expect(summary.inputs >= corpus.count + 50, "\(target.rawValue): only \(summary.inputs) inputs ran")
        #expect(
            summary.slowest < .seconds(1),
            "\(target.rawValue): one input took \(summary.slowest): \(summary.slowestInput.prefix(200).base64EncodedString())")
    }

    /// Lets one fuzzing thread per core run at a time.
    static let cores = DispatchSemaphore(value: max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `body` on a new thread at nice 19 once a core is free for it,
    /// and waits for it without holding a thread of the cooperative pool.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                cores.wait()
                // On Linux a nice value belongs to a thread; `0` is the calling one.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                let result = body()
                cores.signal()
                continuation.resume(returning: result)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
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
