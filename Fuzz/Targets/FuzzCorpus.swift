public import Foundation

/// The committed seed corpus: `Fuzz/Corpus/<target>/*`, one input a file.
public enum FuzzCorpus {
    /// The corpus directory of `target` under `root` (the repository).
    public static func directory(_ target: FuzzTarget, root: String) -> String {
        root + "/Fuzz/Corpus/" + target.rawValue
    }

    /// The inputs in the corpus directory of `target` (none if it is missing).
    public static func inputs(_ target: FuzzTarget, root: String) -> [Data] {
        let directory = directory(target, root: root)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.compactMap { FileManager.default.contents(atPath: directory + "/" + $0) }
    }
}
