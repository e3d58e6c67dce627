public import Foundation
import ExeSystem

/// A seeded random-and-mutation fuzzer: no coverage guidance, but
/// repeatable (the same seed gives the same inputs), bounded in inputs and
/// time, and fast enough to run in the test suite so a new trap fails the
/// build. Long campaigns use libFuzzer instead (`Fuzz/README.md`).
public struct MutationFuzzer {
    /// What a run did.
    public struct Summary: Sendable {
        /// Inputs run.
        public var inputs: Int
        /// The most CPU time one input took (``ThreadCPUTime``).
        public var slowest: Duration
        /// The input that took ``slowest``.
        public var slowestInput: Data
    }

    private var random: SplitMix64
    private let corpus: [Data]

    /// A fuzzer that mutates `corpus` with randomness from `seed`.
    public init(seed: UInt64, corpus: [Data]) {
        random = SplitMix64(seed: seed)
        self.corpus = corpus.isEmpty ? [Data()] : corpus
    }

    /// Runs `target` on every corpus entry, then on mutated and random
    /// inputs until `inputs` have run or the calling thread has used
    /// `budget` of CPU time (``ThreadCPUTime``: the same work on a busy
    /// machine as on an idle one).
    public mutating func run(_ target: FuzzTarget, inputs: Int, budget: Duration) -> Summary {
        let start = ThreadCPUTime.now()
        var summary = Summary(inputs: 0, slowest: .zero, slowestInput: Data())
        func time(_ input: Data) {
            let began = ThreadCPUTime.now()
            target.run(input)
            let took = ThreadCPUTime.now() - began
            if took > summary.slowest {
                summary.slowest = took
                summary.slowestInput = input
            }
            summary.inputs += 1
        }
        for input in corpus { time(input) }
        while summary.inputs < inputs, ThreadCPUTime.now() - start < budget {
            time(next())
        }
        return summary
    }

    /// The next input: usually a mutated corpus entry, sometimes random bytes.
    public mutating func next() -> Data {
        if random.below(16) == 0 {
            return Data((0..<random.below(256)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        var bytes = [UInt8](corpus[random.below(corpus.count)])
        for _ in 0...random.below(4) { mutate(&bytes) }
        // Keep inputs small: the limits under test are about structure, not volume.
        if bytes.count > 1 << 16 { bytes.removeLast(bytes.count - (1 << 16)) }
        return Data(bytes)
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        let position = bytes.isEmpty ? 0 : random.below(bytes.count + 1)
        switch random.below(8) {
        case 0 where !bytes.isEmpty:
            // Flip a bit.
            let index = min(position, bytes.count - 1)
            bytes[index] ^= UInt8(1) << UInt8(random.below(8))
        case 1:
            // Insert random bytes.
            bytes.insert(contentsOf: (0..<1 + random.below(8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
        case 2 where !bytes.isEmpty:
            // Delete a range.
            let end = min(bytes.count, position + 1 + random.below(16))
            bytes.removeSubrange(min(position, bytes.count - 1)..<end)
        case 3 where !bytes.isEmpty:
            // Repeat a range.
            let start = min(position, bytes.count - 1)
            let end = min(bytes.count, start + 1 + random.below(32))
            let piece = Array(bytes[start..<end])
            for _ in 0..<1 + random.below(8) { bytes.insert(contentsOf: piece, at: start) }
        case 4:
            // Splice in part of another corpus entry.
            let other = [UInt8](corpus[random.below(corpus.count)])
            guard !other.isEmpty else { return }
            let start = random.below(other.count)
            bytes.insert(contentsOf: other[start..<min(other.count, start + 1 + random.below(64))], at: position)
        case 5 where !bytes.isEmpty:
            // Replace a digit run with an extreme number.
            let index = min(position, bytes.count - 1)
            bytes.replaceSubrange(index..<index + 1, with: Array(Self.numbers[random.below(Self.numbers.count)].utf8))
        default:
            // Insert a token that parsers treat specially.
            bytes.insert(contentsOf: Array(Self.tokens[random.below(Self.tokens.count)].utf8), at: position)
        }
    }

    private static let numbers = [
        "-1", "0", "-0", "+1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999",
        "18446744073709551616", "4294967296", "77777777777", "7fffffffffffffff", "ffffffffffffffff", "0x10", "1e308", "1e309",
        "NaN", "inf", "1:2:3:4:5:6:7:8:9:10:11:12:13", "106751991167302", "0.0000001", "1_000",
    ]

    private static let tokens = [
        "\r\n", "\r\n\r\n", "\n", "\0", " ", "\t", ":", ";", "=", "\"", "'", "\\", "#", "*", "?", "!", "|", ",", "-", "--", "[", "]", "{", "}",
        "&a ", "*a", "<<: *a\n", "? [a]\n: b\n", "!!binary ", "!!set ", "~", "%YAML 1.2\n---\n", "...\n", "s", "m", "h", "d", "w", "y",
        "Content-Length: ", "Transfer-Encoding: chunked\r\n", "@revoked ", "@cert-authority ", "|1|", "Host ", "Include ", "Match ",
        "{\"error\":\"x\"}", "[{}]", "\u{FFFD}", "\u{0301}", "٣", "½",
    ]
}

/// Sebastiano Vigna's SplitMix64: small, fast and good enough to drive a
/// fuzzer repeatably.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (`0` when `bound` is not positive).
    mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
