import ExeFuzzTargets
import Foundation

#if EXE_LIBFUZZER
    // Built by Fuzz/build.sh with -sanitize=fuzzer: libFuzzer supplies
    // main() and calls this for every input; EXE_FUZZ_TARGET names the
    // parser (Fuzz/README.md).
    private let target: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["EXE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("exe-fuzz: set EXE_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
        target.run(data)
        return 0
    }
#else
    /// `exe-fuzz`: the seeded random-and-mutation fuzzer without libFuzzer.
    ///
    ///     exe-fuzz list
    ///     exe-fuzz run TARGET [--seconds N] [--inputs N] [--seed N]
    ///     exe-fuzz replay TARGET FILE...
    ///     exe-fuzz write-corpus DIRECTORY
    @main
    enum FuzzEntry {
        static func main() {
            var arguments = Array(CommandLine.arguments.dropFirst())
            guard let verb = arguments.first else { usage() }
            arguments.removeFirst()
            switch verb {
            case "list":
                for target in FuzzTarget.allCases { print(target.rawValue) }
            case "run":
                guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { usage() }
                let seconds = option("--seconds", in: arguments) ?? 60
                let inputs = option("--inputs", in: arguments) ?? Int.max
                let seed = option("--seed", in: arguments) ?? Int(Date().timeIntervalSince1970)
                let root = FileManager.default.currentDirectoryPath
                var fuzzer = MutationFuzzer(seed: UInt64(truncatingIfNeeded: seed), corpus: target.seeds + FuzzCorpus.inputs(target, root: root))
                let summary = fuzzer.run(target, inputs: inputs, budget: .seconds(seconds))
                print("\(target.rawValue): \(summary.inputs) inputs, seed \(seed), slowest \(summary.slowest)")
            case "replay":
                guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { usage() }
                for file in arguments.dropFirst() {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        FileHandle.standardError.write(Data("exe-fuzz: cannot read \(file)\n".utf8))
                        exit(1)
                    }
                    target.run(data)
                    print("\(file): ok")
                }
            case "write-corpus":
                guard let directory = arguments.first else { usage() }
                for target in FuzzTarget.allCases {
                    let folder = directory + "/" + target.rawValue
                    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    for (index, seed) in target.seeds.enumerated() {
                        _ = FileManager.default.createFile(atPath: folder + "/seed-\(index)", contents: seed)
                    }
                }
            default:
                usage()
            }
        }

        static func option(_ name: String, in arguments: [String]) -> Int? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return Int(arguments[index + 1])
        }

        static func usage() -> Never {
            FileHandle.standardError.write(Data("usage: exe-fuzz list | run TARGET [--seconds N] [--inputs N] [--seed N] | replay TARGET FILE... | write-corpus DIRECTORY\n".utf8))
            exit(2)
        }
    }
#endif
