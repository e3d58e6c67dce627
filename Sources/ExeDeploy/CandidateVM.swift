import ExeControl
import Foundation

/// Pattern A's candidate release (`deploy --no-promote`): the new VM made
/// beside the live one under its temporary name (`<vm>-g<5 random>`, see
/// ``ReplaceDeployment/temporaryName(for:)``), health-gated, running, and
/// tagged `exe-deploy-candidate-<unix time>`. The tag is the record: a
/// `-g` VM without it is a deploy in progress (or one that died), never a
/// candidate.
enum CandidateVM {
    static let tagPrefix = "exe-deploy-candidate-"

    /// The tag that marks a candidate made at `date`.
    static func tag(at date: Date) -> String { tagPrefix + String(Int(date.timeIntervalSince1970)) }

    /// Whether `tag` marks a candidate (never carried over to a new VM).
    static func isCandidateTag(_ tag: String) -> Bool { tag.hasPrefix(tagPrefix) }

    /// When `vm` became a candidate (its tag), or `nil` when it is not one.
    static func since(_ vm: VM) -> Int? {
        vm.tags.lazy.filter(isCandidateTag).compactMap { Int($0.dropFirst(tagPrefix.count)) }.first
    }

    /// Whether `name` is one of `vmName`'s temporary names (`<vm>-g` and
    /// five letters or digits).
    static func isTemporaryName(_ name: String, of vmName: String) -> Bool {
        let prefix = vmName + "-g"
        guard name.hasPrefix(prefix) else { return false }
        let rest = name.dropFirst(prefix.count)
        return rest.count == 5 && rest.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    /// The candidates of `vmName` among `vms`, newest first (there is at
    /// most one unless someone made more by hand).
    static func candidates(of vmName: String, in vms: [VM]) -> [VM] {
        vms.filter { isTemporaryName($0.name, of: vmName) && since($0) != nil }
            .sorted { (since($0) ?? 0, $0.name) > (since($1) ?? 0, $1.name) }
    }

    /// The candidate as ``DeployCandidate``.
    static func describe(_ vm: VM) -> DeployCandidate {
        DeployCandidate(
            vm: vm.name, url: vm.httpsURL, image: vm.image, since: since(vm).map { Date(timeIntervalSince1970: TimeInterval($0)) })
    }
}
