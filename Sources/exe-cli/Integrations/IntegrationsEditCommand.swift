import ArgumentParser
import ExeControl
import ExeSystem

/// `exe-cli integrations edit NAME [--comment] [--target] [--header]... [--bearer-env] [--repository]... [--fields] [--step-up|--no-step-up]`.
struct IntegrationsEditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Change an integration's settings in place (comment, target, headers, repositories, fields, step-up).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The integration.") var name: String
    @Option(help: "A new comment.") var comment: String?
    @Option(help: "http-proxy: a new target URL.") var target: String?
    @Option(name: .customLong("header"), help: "http-proxy: Name:Value to send (value kept secret; repeatable; replaces the headers).")
    var headers: [String] = []
    @Option(name: .customLong("bearer-env"), help: "http-proxy: the variable holding a new bearer token.") var bearerVariable: String?
    @Option(name: .customLong("repository"), help: "github: owner/repo (repeatable).") var repositories: [String] = []
    @Option(help: "reflection: all, none, or a comma list of email,integrations,tags,comment.") var fields: String?
    @Flag(inversion: .prefixedNo, help: "Require a fresh approval before each use of the integration.") var stepUp: Bool?
    @Flag(inversion: .prefixedNo, help: "Require a passkey for step-up approvals.") var stepUpRequirePasskey: Bool?

    func validate() throws {
        for header in headers where !header.contains(":") { throw ValidationError("--header must be Name:Value") }
        if comment == nil, target == nil, headers.isEmpty, bearerVariable == nil, repositories.isEmpty, fields == nil, stepUp == nil, stepUpRequirePasskey == nil {
            throw ValidationError("give at least one change")
        }
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            var edit = IntegrationEdit(comment: comment, target: target, repositories: repositories, stepUp: stepUp)
            edit.headers = headers.map { header in
                let colon = header.firstIndex(of: ":")!
                return (String(header[..<colon]), Secret(String(header[header.index(after: colon)...])))
            }
            if let bearerVariable {
                guard let value = session.environment.variable(bearerVariable) else { throw CLIUsageError("$\(bearerVariable) is not set") }
                edit.bearer = Secret(value)
            }
            edit.stepUpRequirePasskey = stepUpRequirePasskey
            if let fields { edit.fields = fields == "none" ? [] : fields.split(separator: ",").map(String.init) }
            try await session.client.integrations.edit(name, edit)
            try session.output.result(Acknowledgement(command: "integrations edit", name: name)) { "Updated integration \(name)." }
        }
    }
}
