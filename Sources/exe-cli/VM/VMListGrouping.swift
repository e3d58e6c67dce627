import ArgumentParser
import ExeControl

/// `vm ls --group`: sections of the table by tag, region or type
/// (exe.dev's `ls --group=none|tag|region|type`). JSON is never grouped.
enum VMListGrouping: String, ExpressibleByArgument, CaseIterable {
    case none, tag, region, type

    /// The section titles `vm` appears under (a VM with several tags is
    /// listed under each).
    func sections(of vm: VM) -> [String] {
        switch self {
        case .none: return [""]
        case .tag: return vm.tags.isEmpty ? ["(untagged)"] : vm.tags.map { "#" + $0 }
        case .region: return [vm.region ?? "(unknown region)"]
        case .type: return [vm.standalone == true ? "standalone" : vm.pool.map { "pool \($0)" } ?? "shared"]
        }
    }

    /// `vms` split into titled groups, titles sorted.
    func groups(_ vms: [VM]) -> [(title: String, vms: [VM])] {
        var sections: [String: [VM]] = [:]
        for vm in vms { for title in self.sections(of: vm) { sections[title, default: []].append(vm) } }
        return sections.keys.sorted().map { ($0, sections[$0] ?? []) }
    }
}
