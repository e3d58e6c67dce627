extension ControlRequest {
    static let listIntegrations = ControlRequest(["integrations", "list"], isReadOnly: true)

    /// An `integrations` subcommand that prints nothing in JSON mode and has
    /// no `--json` flag.
    /// Success prints the line the handler in
    /// `execore/ssh_integrations_command.go` writes last.
    private static func integrations(_ subcommand: String, _ arguments: [ControlWord], flags: [ControlFlag] = []) -> ControlRequest {
        let confirmations: [String: [String]] = [
            "add": ["Added integration ", "Added team integration "], "remove": ["Removed integration "],
            "attach": ["Attached "], "detach": ["Detached "], "rename": ["Renamed integration "],
        ]
        return ControlRequest(
            ["integrations", subcommand], arguments: arguments, flags: flags, definesJSONFlag: false,
            expectedOutput: .confirmation(linePrefixes: confirmations[subcommand] ?? []))
    }

    /// `integrations add <type> --name=N ...`.
    static func addIntegration(_ integration: NewIntegration) throws(ControlError) -> ControlRequest {
        var flags = [ControlFlag("name", try ArgumentChecks.nonEmpty(integration.name, "--name"))]
        if integration.team { flags.append(ControlFlag(set: "team")) }
        for spec in integration.attachments { flags.append(ControlFlag("attach", try ArgumentChecks.attachmentSpec(spec))) }
        if let comment = integration.comment { flags.append(ControlFlag("comment", ControlWord(comment))) }
        switch integration.configuration {
        case .httpProxy(let target, let headers, let bearer):
            flags.append(ControlFlag("target", try ArgumentChecks.nonEmpty(target, "--target")))
            // `--header` is a single string flag on the server (a second one
            // replaces the first), and it refuses a header with a bearer.
            if headers.count > 1 {
                throw ControlError(.invalidArgument, "exe.dev keeps one header per http-proxy integration; \(headers.count) were given")
            }
            if !headers.isEmpty, bearer != nil { throw ControlError(.invalidArgument, "--header and --bearer are mutually exclusive") }
            for header in headers {
                guard !header.name.isEmpty, !header.name.contains(":") else {
                    throw ControlError(.invalidArgument, "invalid --header name \(GoQuote.string(header.name))")
                }
                flags.append(ControlFlag("header", ControlWord([.text(header.name + ":"), .secret(header.value)])))
            }
            if let bearer { flags.append(ControlFlag("bearer", .secret(bearer))) }
        case .peerProxy(let target):
            flags.append(ControlFlag("target", try ArgumentChecks.nonEmpty(target, "--target")))
            flags.append(ControlFlag(set: "peer"))
        case .github(let repositories):
            guard !repositories.isEmpty else { throw ControlError(.invalidArgument, "--repository is required") }
            flags.append(ControlFlag("repository", ControlWord(repositories.joined(separator: ","))))
        case .reflection(let fields):
            flags.append(ControlFlag("fields", ControlWord(fields.isEmpty ? "none" : fields.joined(separator: ","))))
        }
        return integrations("add", [ControlWord(integration.configuration.typeName)], flags: flags)
    }

    /// `integrations attach <name> <spec>`.
    static func attachIntegration(_ name: String, _ spec: String) throws(ControlError) -> ControlRequest {
        integrations("attach", [try ArgumentChecks.nonEmpty(name, "an integration name"), try ArgumentChecks.attachmentSpec(spec)])
    }

    /// `integrations detach <name> <spec>`.
    static func detachIntegration(_ name: String, _ spec: String) throws(ControlError) -> ControlRequest {
        integrations("detach", [try ArgumentChecks.nonEmpty(name, "an integration name"), try ArgumentChecks.attachmentSpec(spec)])
    }

    /// `integrations remove <name>`.
    static func removeIntegration(_ name: String) throws(ControlError) -> ControlRequest {
        integrations("remove", [try ArgumentChecks.nonEmpty(name, "an integration name")])
    }

    /// `integrations rename <name> <new>`.
    static func renameIntegration(_ name: String, to newName: String) throws(ControlError) -> ControlRequest {
        integrations(
            "rename", [try ArgumentChecks.nonEmpty(name, "an integration name"), try ArgumentChecks.nonEmpty(newName, "the new name")])
    }
}
