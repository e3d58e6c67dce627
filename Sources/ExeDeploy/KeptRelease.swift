import ExeControl
import Foundation

/// Pattern A's previous releases, kept paused after a swap so that a
/// rollback only resumes one and renames it back (no build, no pull).
///
/// A kept release is the old VM renamed aside (`<vm>-p<5 random>`, see
/// ``ReplaceDeployment/asideName(for:)``), tagged
/// `exe-deploy-kept-<unix time>` when it was kept, and paused (`pause`,
/// docs/content: standalone-vms.md). `--keep-releases N` keeps the newest
/// N; older ones are removed.
enum KeptRelease {
    static let tagPrefix = "exe-deploy-kept-"

    /// The tag that marks a release kept at `date`.
    static func tag(at date: Date) -> String { tagPrefix + String(Int(date.timeIntervalSince1970)) }

    /// When `vm` was kept (its tag), or `nil` when it is not a kept release.
    static func keptAt(_ vm: VM) -> Int? {
        vm.tags.lazy.filter { $0.hasPrefix(tagPrefix) }.compactMap { Int($0.dropFirst(tagPrefix.count)) }.first
    }

    /// Whether `tag` marks a kept release (never carried over to a new VM).
    static func isKeptTag(_ tag: String) -> Bool { tag.hasPrefix(tagPrefix) }

    /// Whether `name` is one of `vmName`'s aside names (`<vm>-p` and five
    /// letters or digits).
    static func isAsideName(_ name: String, of vmName: String) -> Bool {
        let prefix = vmName + "-p"
        guard name.hasPrefix(prefix) else { return false }
        let rest = name.dropFirst(prefix.count)
        return rest.count == 5 && rest.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    /// The kept releases of `vmName` among `vms`, newest first.
    static func releases(of vmName: String, in vms: [VM]) -> [VM] {
        vms.filter { isAsideName($0.name, of: vmName) && keptAt($0) != nil }
            .sorted { (keptAt($0) ?? 0, $0.name) > (keptAt($1) ?? 0, $1.name) }
    }
}
