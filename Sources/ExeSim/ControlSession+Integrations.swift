import Foundation

/// `integrations list|add|remove|attach|detach|rename`, as
/// `execore/ssh_integrations_command.go` (and `ssh_integrations_reflection.go`)
/// handle them: the same checks in the same order, the same wording.
extension ControlSession {
    /// `knownIntegrationTypes`, sorted as `knownIntegrationTypeNames` prints
    /// them. `notify` is a built-in the server may list, never a type to add.
    static let integrationTypes = ["github", "http-proxy", "reflection"]

    /// Where a VM reaches an integration: `<name>.int.<BoxHost>`.
    static let integrationHostSuffix = ".int.exe.xyz"

    /// One item of `integrations list --json`: a Go map, so its keys come
    /// sorted; `comment` always present.
    private func integrationEntry(_ integration: IntegrationRecord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("attachments", .strings(integration.attachments)),
            ("comment", .string(integration.comment)),
            ("config", integrationConfig(integration)),
            ("name", .string(integration.name)),
        ]
        if integration.builtin { members.insert(("builtin", .bool(true)), at: 0) }
        members.append(("type", .string(integration.type)))
        return .object(members)
    }

    /// The stored config as the server marshals it: `reflectionIntegrationConfig`
    /// (`{"fields":[...]}`, `null` for none) and `httpProxyConfig`
    /// (`target`, `header`, `peer_vm` when set), in struct order; the
    /// simulator's guessed extras (step-up) after them.
    private func integrationConfig(_ integration: IntegrationRecord) -> JSONValue {
        var members: [(String, JSONValue)] = []
        var known: Set<String> = []
        switch integration.type {
        case "reflection":
            let fields = Self.reflectionFieldList(integration)
            members.append(("fields", fields.isEmpty ? .null : .strings(fields)))
            known = ["fields"]
        case "http-proxy":
            members.append(("target", .string(integration.config["target"] ?? "")))
            members.append(("header", .string(integration.config["header"] ?? "")))
            if let peer = integration.config["peer_vm"] { members.append(("peer_vm", .string(peer))) }
            known = ["target", "header", "peer_vm"]
        default:
            break
        }
        for key in integration.config.keys.sorted() where !known.contains(key) {
            members.append((key, .string(integration.config[key] ?? "")))
        }
        return .object(members)
    }

    /// A reflection integration's fields (stored comma-joined).
    static func reflectionFieldList(_ integration: IntegrationRecord) -> [String] {
        (integration.config["fields"] ?? "").split(separator: ",").map(String.init)
    }

    /// `summarizeConfig`: the third column of the text list.
    private func integrationSummary(_ integration: IntegrationRecord) -> String {
        switch integration.type {
        case "reflection":
            return "fields=" + IntegrationRules.reflectionFieldsDisplay(Self.reflectionFieldList(integration))
        case "http-proxy":
            var parts = ["target=" + (integration.config["target"] ?? "")]
            if let peer = integration.config["peer_vm"], !peer.isEmpty {
                parts.append("peer=" + peer)
            } else if let header = integration.config["header"], !header.isEmpty {
                parts.append("header=" + header)
            }
            return parts.joined(separator: " ")
        default:
            return integrationConfig(integration).encoded(escapingHTML: false)
        }
    }

    func integrationList() throws {
        let integrations = try store.snapshot().integrations
        // handleIntegrationsList writes a nil Go slice when there is
        // nothing to list: `null`, not `[]`.
        output.json(integrations.isEmpty ? .null : .array(integrations.map(integrationEntry)))
        if integrations.isEmpty { output.line("No integrations configured.") }
        for integration in integrations {
            let attached = integration.attachments.isEmpty ? "(none)" : integration.attachments.joined(separator: " ")
            output.line("\(integration.name)  \(integration.type)  \(integrationSummary(integration))  \(attached)")
        }
    }

    /// `parseAttachmentSpec`, then (for `add` and `attach`) `validateAttachmentSpec`.
    private func checkAttachment(_ spec: String, validate: Bool, in state: SimState) throws(CommandFailure) {
        if let problem = IntegrationRules.attachmentSpecProblem(spec) { throw CommandFailure(problem) }
        if validate, let problem = IntegrationRules.attachmentTargetProblem(spec, in: state) { throw CommandFailure(problem) }
    }

    /// `handleIntegrationsAdd`: the type, `--team`, every `--attach`, then the
    /// type's own handler (name, name in use, its settings).
    func integrationAdd() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: integrations add <type> --name=<name> [args...]") }
        let type = arguments[0]
        guard Self.integrationTypes.contains(type) else {
            throw CommandFailure(
                "unknown integration type \(GoFlagParser.goQuote(type)) (known types: \(Self.integrationTypes.joined(separator: ", ")))")
        }
        if flags.bool("team") { throw CommandFailure("--team requires being in a team") }
        let snapshot = try store.snapshot()
        let attachments = flags.list("attach")
        for spec in attachments { try checkAttachment(spec, validate: true, in: snapshot) }
        let name = flags.string("name") ?? ""
        guard !name.isEmpty else { throw CommandFailure("--name is required") }
        if let problem = IntegrationRules.nameProblem(name) { throw CommandFailure("invalid name: \(problem)") }
        if snapshot.integrations.contains(where: { $0.name == name }) {
            throw CommandFailure("name \(GoFlagParser.goQuote(name)) is already in use")
        }
        var config: [String: String] = [:]
        var confirmation = "Added integration \(name)"
        switch type {
        case "http-proxy":
            config = try httpProxyConfig()
        case "github":
            try IntegrationRules.checkRepositories(flags.string("repository") ?? "")
            throw CommandFailure("no GitHub account connected; run: integrations setup github")
        default:
            let fields = try IntegrationRules.reflectionFields(flags.string("fields") ?? "all")
            config["fields"] = fields.joined(separator: ",")
            confirmation += " (reflection, fields=\(IntegrationRules.reflectionFieldsDisplay(fields)))"
        }
        let comment = flags.string("comment") ?? ""
        try store.update { state in
            if state.integrations.contains(where: { $0.name == name }) {
                throw CommandFailure("failed to add integration (name \(GoFlagParser.goQuote(name)) may already be in use)")
            }
            state.integrations.append(IntegrationRecord(name: name, type: type, config: config, attachments: attachments, comment: comment, builtin: false))
        }
        output.line(confirmation)
        writeIntegrationUsage(name: name, attachments: attachments)
    }

    /// `handleAddHTTPProxy`'s checks after the name, in its order; the
    /// config it stores, redacted as `integrations list` shows it.
    private func httpProxyConfig() throws(CommandFailure) -> [String: String] {
        let target = flags.string("target") ?? ""
        var header = flags.string("header") ?? ""
        var bearer = flags.string("bearer") ?? ""
        if flags.bool("peer") {
            if !header.isEmpty || !bearer.isEmpty { throw CommandFailure("--peer is mutually exclusive with --header and --bearer") }
            guard !target.isEmpty else { throw CommandFailure("--target is required with --peer") }
            let host = URLComponents(string: target)?.host ?? ""
            return ["target": target, "peer_vm": String(host.split(separator: ".").first ?? "")]
        }
        guard !target.isEmpty else { throw CommandFailure("--target is required") }
        if let problem = IntegrationRules.targetProblem(target) { throw CommandFailure(problem) }
        if !header.isEmpty, !bearer.isEmpty { throw CommandFailure("--header and --bearer are mutually exclusive") }
        bearer = bearer.trimmingCharacters(in: .whitespacesAndNewlines)
        if !bearer.isEmpty { header = "Authorization:Bearer " + bearer }
        if header.isEmpty, !IntegrationRules.hasUserInfo(target) { throw CommandFailure("--header (or --bearer) is required") }
        if !header.isEmpty, let problem = IntegrationRules.headerProblem(header) { throw CommandFailure("invalid header: \(problem)") }
        return ["target": IntegrationRules.redactingPassword(target), "header": IntegrationRules.redactedHeader(header)]
    }

    /// `printIntegrationUsage` for http-proxy and reflection: how a VM
    /// reaches the integration.
    private func writeIntegrationUsage(name: String, attachments: [String]) {
        let host = name + Self.integrationHostSuffix
        let vm = attachments.first { $0.hasPrefix("vm:") }.map { String($0.dropFirst(3)) }
        output.line("")
        if attachments.isEmpty {
            output.line("To use this integration, attach it to a VM first:")
            output.line("  integrations attach \(name) vm:<vm-name>")
            output.line("")
        }
        output.line("Usage from a VM:")
        output.line(vm.map { "  ssh \($0) curl https://\(host)/" } ?? "  curl https://\(host)/")
    }

    /// `handleIntegrationsRemove`.
    func integrationRemove() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: integrations remove <name>") }
        let name = arguments[0]
        if name == "notify" { throw CommandFailure("notify is a built-in integration and cannot be removed") }
        try store.update { state in
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            state.integrations.remove(at: index)
        }
        output.line("Removed integration \(name)")
    }

    /// `handleIntegrationsAttach` / `handleIntegrationsDetach`: the
    /// integration is found before the spec is read; only `attach` checks
    /// that the spec's VM exists.
    func integrationAttach(detach: Bool) throws {
        let verb = detach ? "detach" : "attach"
        guard arguments.count == 2 else {
            throw CommandFailure("usage: integrations \(verb) <name> <spec>\n  <spec> is vm:<vm-name>, tag:<tag-name>, or auto:all")
        }
        let (name, spec) = (arguments[0], arguments[1])
        if name == "notify" {
            throw CommandFailure(
                detach ? "notify is a built-in integration and cannot be detached" : "notify is a built-in integration and is already attached to all VMs")
        }
        try store.update { state in
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            try checkAttachment(spec, validate: !detach, in: state)
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
        output.line(detach ? "Detached \(name) from \(spec)" : "Attached \(name) to \(spec)")
    }

    /// `handleIntegrationsRename`: the new name's checks come before the
    /// old name is looked up.
    func integrationRename() throws {
        guard arguments.count == 2 else { throw CommandFailure("usage: integrations rename <name> <new-name>") }
        let (name, newName) = (arguments[0], arguments[1])
        if name == "notify" { throw CommandFailure("notify is a built-in integration and cannot be renamed") }
        if let problem = IntegrationRules.nameProblem(newName) { throw CommandFailure("invalid name: \(problem)") }
        try store.update { state in
            if state.integrations.contains(where: { $0.name == newName }) {
                throw CommandFailure("name \(GoFlagParser.goQuote(newName)) is already in use")
            }
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            state.integrations[index].name = newName
        }
        output.line("Renamed integration \(name) to \(newName)")
    }
}
