import Foundation

extension ControlSession {
    static let integrationTypes = ["github", "http-proxy", "notify", "reflection"]

    private func integrationEntry(_ integration: IntegrationRecord) -> JSONValue {
        var config: [(String, JSONValue)] = []
        for key in integration.config.keys.sorted() { config.append((key, .string(integration.config[key] ?? ""))) }
        var object = JSONObjectBuilder()
        object.add("name", .string(integration.name))
        object.add("type", .string(integration.type))
        object.add("config", .object(config))
        object.add("attachments", .strings(integration.attachments))
        object.add("comment", .string(integration.comment))
        if integration.builtin { object.add("builtin", .bool(true)) }
        return object.value
    }

    func integrationList() throws {
        let integrations = try store.snapshot().integrations
        // execore/ssh_integrations_command.go handleIntegrationsList writes
        // a nil Go slice when there is nothing to list: `null`, not `[]`.
        output.json(integrations.isEmpty ? .null : .array(integrations.map(integrationEntry)))
        if integrations.isEmpty { output.line("No integrations configured.") }
        for integration in integrations {
            output.line("\(integration.name)  \(integration.type)  \(integration.attachments.joined(separator: ","))\(integration.comment.isEmpty ? "" : "  \(integration.comment)")")
        }
    }

    private func validateSpec(_ spec: String) throws {
        let valid = spec == "auto:all" || (spec.hasPrefix("vm:") && spec.count > 3) || (spec.hasPrefix("tag:") && TagRules.isValid(String(spec.dropFirst(4))))
        if !valid { throw CommandFailure("invalid attach spec \(GoFlagParser.goQuote(spec)) (use vm:NAME, tag:TAG or auto:all)") }
    }

    func integrationAdd() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: integrations add <type> --name=NAME [flags]") }
        let type = arguments[0]
        guard Self.integrationTypes.contains(type) else {
            throw CommandFailure("unknown integration type \(GoFlagParser.goQuote(type)) (known types: \(Self.integrationTypes.joined(separator: ", ")))")
        }
        let name = flags.string("name") ?? ""
        guard !name.isEmpty else { throw CommandFailure("--name is required") }
        // execore/integration_validate.go validateIntegrationName, as
        // handleAddHTTPProxy words it ("invalid name: ...").
        if let problem = IntegrationRules.nameProblem(name) { throw CommandFailure("invalid name: \(problem)") }
        if flags.bool("team") { throw CommandFailure("You're not in a team") }
        var config: [String: String] = [:]
        switch type {
        case "http-proxy":
            // The order of handleAddHTTPProxy (execore/ssh_integrations_command.go).
            if try store.snapshot().integrations.contains(where: { $0.name == name }) {
                throw CommandFailure("name \(GoFlagParser.goQuote(name)) is already in use")
            }
            let target = flags.string("target") ?? ""
            let headers = flags.list("header")
            let bearer = (flags.string("bearer") ?? "").trimmingCharacters(in: .whitespaces)
            if flags.bool("peer") {
                if !headers.isEmpty || !bearer.isEmpty {
                    throw CommandFailure("--peer is mutually exclusive with --header and --bearer")
                }
                guard !target.isEmpty else { throw CommandFailure("--target is required with --peer") }
                config["peer"] = "true"
            } else {
                guard !target.isEmpty else { throw CommandFailure("--target is required") }
                if let problem = IntegrationRules.targetProblem(target) { throw CommandFailure(problem) }
                if !headers.isEmpty, !bearer.isEmpty { throw CommandFailure("--header and --bearer are mutually exclusive") }
                if headers.isEmpty, bearer.isEmpty, !IntegrationRules.hasUserInfo(target) {
                    throw CommandFailure("--header (or --bearer) is required")
                }
            }
            config["target"] = target
            for header in headers {
                guard let colon = header.firstIndex(of: ":") else {
                    throw CommandFailure("invalid --header \(GoFlagParser.goQuote(header)): must be Key:Value")
                }
                config["header"] = "\(header[..<colon]):***"
            }
            if !bearer.isEmpty { config["bearer"] = "***" }
        case "github":
            throw CommandFailure("GitHub is not set up for this account; run: integrations setup github (not simulated by exe-sim)")
        case "notify":
            // The reference lists the type but no type-specific flags: a
            // notify integration has an empty config.
            break
        default:
            config["fields"] = flags.string("fields") ?? "all"
        }
        let attachments = flags.list("attach")
        for spec in attachments { try validateSpec(spec) }
        let comment = flags.string("comment") ?? ""
        try store.update { state in
            if state.integrations.contains(where: { $0.name == name }) {
                throw CommandFailure("name \(GoFlagParser.goQuote(name)) is already in use")
            }
            state.integrations.append(IntegrationRecord(name: name, type: type, config: config, attachments: attachments, comment: comment, builtin: false))
        }
        output.line("Added integration \(name) (\(type))")
    }

    func integrationRemove() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: integrations remove <name>") }
        let name = arguments[0]
        try store.update { state in
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            state.integrations.remove(at: index)
        }
        output.line("Removed integration \(name)")
    }

    func integrationAttach(detach: Bool) throws {
        guard arguments.count == 2 else {
            throw CommandFailure("usage: integrations \(detach ? "detach" : "attach") <name> <spec>")
        }
        let (name, spec) = (arguments[0], arguments[1])
        try validateSpec(spec)
        try store.update { state in
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            if spec.hasPrefix("vm:"), state.vm(named: String(spec.dropFirst(3))) == nil, !detach {
                throw CommandFailure("vm \(GoFlagParser.goQuote(String(spec.dropFirst(3)))) not found")
            }
            var attachments = state.integrations[index].attachments
            if detach {
                guard let position = attachments.firstIndex(of: spec) else { throw CommandFailure("\(name) is not attached via \(spec)") }
                attachments.remove(at: position)
            } else {
                if attachments.contains(spec) { throw CommandFailure("\(name) is already attached via \(spec)") }
                attachments.append(spec)
            }
            state.integrations[index].attachments = attachments
        }
        output.line(detach ? "Detached \(name) from \(spec)" : "Attached \(name) via \(spec)")
    }

    func integrationRename() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: integrations rename <name> <new-name>") }
        let (name, newName) = (arguments[0], arguments[1])
        guard TagRules.isValid(newName) else { throw CommandFailure("invalid integration name \(GoFlagParser.goQuote(newName))") }
        try store.update { state in
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            if state.integrations.contains(where: { $0.name == newName }) {
                throw CommandFailure("name \(GoFlagParser.goQuote(newName)) is already in use")
            }
            state.integrations[index].name = newName
        }
        output.line("Renamed integration \(name) to \(newName)")
    }
}
