import Foundation

extension ControlSession {
    /// `help [command...] [--json]`: the command list or one command's help.
    func help() throws {
        var path: [String] = []
        // handleHelpCommand (RawArgs): exactly `--json` asks for JSON; any
        // other word starting with `-` is dropped.
        for word in arguments {
            if word == "--json" {
                output.wantsJSON = true
            } else if !word.hasPrefix("-") {
                path.append(word)
            }
        }
        if path.isEmpty {
            writeCommandList()
            return
        }
        guard let (spec, names) = environment.tree.find(path) else {
            let text = "help available for unrecognized command: \(path.joined(separator: " "))"
            if output.wantsJSON { throw CommandFailure("no " + text) }
            output.line("No " + text)
            return
        }
        writeHelp(spec: spec, canonicalName: names.joined(separator: " "))
    }

    func writeHelp(for resolved: ResolvedCommand) {
        writeHelp(spec: resolved.spec, canonicalName: resolved.canonicalName)
    }

    private func writeCommandList() {
        let visible = environment.tree.commands.filter { !$0.hidden }
        if output.wantsJSON {
            let commands = visible.map { spec -> JSONValue in
                var object = JSONObjectBuilder()
                object.add("name", .string(spec.name))
                object.add("description", .string(spec.description))
                if !spec.aliases.isEmpty { object.add("aliases", .strings(spec.aliases)) }
                let subs = spec.subcommands.filter { !$0.hidden && $0.available }
                if !subs.isEmpty {
                    object.add("subcommands", .array(subs.map { .object([("name", .string($0.name)), ("description", .string($0.description))]) }))
                }
                return object.value
            }
            output.json(.object([("commands", .array(commands))]))
            return
        }
        output.line("exe.dev commands (simulated by exe-sim):")
        output.line()
        let width = visible.map { $0.name.count + ($0.aliases.isEmpty ? 0 : $0.aliases.joined(separator: ",").count + 3) }.max() ?? 10
        for spec in visible {
            let name = spec.aliases.isEmpty ? spec.name : "\(spec.name) (\(spec.aliases.joined(separator: ",")))"
            output.line("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  - \(spec.description)")
            for sub in spec.subcommands where !sub.hidden && sub.available {
                output.line("    \(spec.name) \(sub.name)  \(sub.description)")
            }
        }
        output.line()
        output.line("Run 'help <command>' for details.")
    }

    /// `Command.Help` and `helpJSON` (exemenu/command_system.go): flags in
    /// `flag.VisitAll`'s order (sorted by name), the JSON a Go map (sorted
    /// keys, each flag `{"description","name"}`), the text with the
    /// server's ANSI emphasis and tabwriter columns.
    private func writeHelp(spec: CommandSpec, canonicalName: String) {
        let visibleFlags = (spec.flags ?? []).filter { !$0.isHidden }.sorted { $0.name < $1.name }
        let subs = spec.subcommands.filter { !$0.hidden && $0.available }
        if output.wantsJSON {
            var members: [(String, JSONValue)] = []
            if !spec.aliases.isEmpty { members.append(("aliases", .strings(spec.aliases))) }
            members.append(("command", .string(canonicalName)))
            members.append(("description", .string(spec.description)))
            if !spec.examples.isEmpty { members.append(("examples", .strings(spec.examples))) }
            if !visibleFlags.isEmpty {
                members.append(("flags", .array(visibleFlags.map { .object([("description", .string($0.usage)), ("name", .string($0.name))]) })))
            }
            if !subs.isEmpty {
                members.append(("subcommands", .array(subs.map { .object([("description", .string($0.description)), ("name", .string($0.name))]) })))
            }
            if !spec.usage.isEmpty { members.append(("usage", .string(spec.usage))) }
            output.json(.object(members))
            return
        }
        let escape = "\u{1B}["
        output.line()
        output.line("\(escape)1;33mCommand: \(canonicalName)\(escape)0m")
        if !spec.aliases.isEmpty { output.line("Aliases: \(spec.aliases.joined(separator: ", "))") }
        output.line()
        output.line(spec.description)
        if !spec.usage.isEmpty {
            output.line()
            output.line("\(escape)1mUsage:\(escape)0m \(spec.usage)")
        }
        if !visibleFlags.isEmpty {
            output.line()
            output.line("\(escape)1mOptions:\(escape)0m")
            for line in Self.tabulated(visibleFlags.map { ("  \(escape)1m--\($0.name)\(escape)0m", $0.usage) }) { output.line(line) }
        }
        if !spec.examples.isEmpty {
            output.line()
            output.line("\(escape)1mExamples:\(escape)0m")
            for example in spec.examples { output.line("  \(example)") }
        }
        if !subs.isEmpty {
            output.line()
            output.line("\(escape)1mSubcommands:\(escape)0m")
            for line in Self.tabulated(subs.map { ("  \(escape)1m\($0.name)\(escape)0m", "  - \($0.description)") }) { output.line(line) }
        }
    }

    /// `text/tabwriter` with padding 1 for two columns (``TabWriter``).
    static func tabulated(_ rows: [(String, String)]) -> [String] {
        TabWriter.lines(rows.map { [$0.0, $0.1] }, padding: 1)
    }
}
