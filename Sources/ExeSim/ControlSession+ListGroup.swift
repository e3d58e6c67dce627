/// `ls --group=none|tag|region|type` (exe.dev/docs/cli-ls.md): text output
/// in sections. JSON output is the same with or without it. The section
/// layout is the sim's own (the docs show none).
extension ControlSession {
    enum ListGrouping: String {
        case none, tag, region, type
    }

    /// The `--group` value, checked.
    func listGrouping() throws -> ListGrouping {
        let text = flags.string("group") ?? "none"
        guard let grouping = ListGrouping(rawValue: text.isEmpty ? "none" : text) else {
            throw CommandFailure("invalid --group \(GoFlagParser.goQuote(text)): must be none, tag, region, or type")
        }
        return grouping
    }

    /// Prints `vms` in sections when `--group` asks for it; `false` when
    /// the plain listing should be printed instead.
    func listGrouped(_ vms: [VMRecord], accountRegion: String) throws -> Bool {
        let grouping = try listGrouping()
        guard grouping != .none, !vms.isEmpty else { return false }
        var sections: [String: [VMRecord]] = [:]
        for vm in vms {
            let keys: [String]
            switch grouping {
            case .none: keys = [""]
            case .tag: keys = vm.tags.isEmpty ? ["(untagged)"] : vm.tags.map { "#" + $0 }
            case .region: keys = [vm.region ?? accountRegion]
            case .type: keys = [vm.standalone == true ? "standalone" : vm.pool.map { "pool \($0)" } ?? "shared"]
            }
            for key in keys { sections[key, default: []].append(vm) }
        }
        var first = true
        for key in sections.keys.sorted() {
            if !first { output.line() }
            first = false
            output.line("\(key):")
            for vm in sections[key] ?? [] { output.line("  \(vm.name).exe.xyz  \(vm.status)") }
        }
        return true
    }
}
