import Foundation

extension ControlSession {
    /// `help [command...] [--json]`: the command list or one command's help.
    func help() throws {
        var path: [String] = []
        for word in arguments {
            if ["--json", "-json", "--json=true", "-json=true"].contains(word) {
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
            let text = "no help available for unrecognized command: \(path.joined(separator: " "))"
            if output.wantsJSON { throw CommandFailure(text) }
            output.line(text)
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

    private func writeHelp(spec: CommandSpec, canonicalName: String) {
        let visibleFlags = (spec.flags ?? []).filter { !$0.isHidden }
        let subs = spec.subcommands.filter { !$0.hidden && $0.available }
        if output.wantsJSON {
            var object = JSONObjectBuilder()
            object.add("command", .string(canonicalName))
            object.add("description", .string(spec.description))
            if !spec.aliases.isEmpty { object.add("aliases", .strings(spec.aliases)) }
            object.addNonEmpty("usage", spec.usage)
            if !visibleFlags.isEmpty {
                object.add("flags", .array(visibleFlags.map { .object([("name", .string($0.name)), ("description", .string($0.usage))]) }))
            }
            if !spec.examples.isEmpty { object.add("examples", .strings(spec.examples)) }
            if !subs.isEmpty {
                object.add("subcommands", .array(subs.map { .object([("name", .string($0.name)), ("description", .string($0.description))]) }))
            }
            output.json(object.value)
            return
        }
        output.line()
        output.line("Command: \(canonicalName)")
        if !spec.aliases.isEmpty { output.line("Aliases: \(spec.aliases.joined(separator: ", "))") }
        output.line()
        output.line(spec.description)
        if !spec.usage.isEmpty {
            output.line()
            output.line("Usage: \(spec.usage)")
        }
        if !visibleFlags.isEmpty {
            output.line()
            output.line("Options:")
            for flag in visibleFlags { output.line("  --\(flag.name) \(flag.usage)") }
        }
        if !spec.examples.isEmpty {
            output.line()
            output.line("Examples:")
            for example in spec.examples { output.line("  \(example)") }
        }
        if !subs.isEmpty {
            output.line()
            output.line("Subcommands:")
            for sub in subs { output.line("  \(sub.name)  - \(sub.description)") }
        }
    }
}
