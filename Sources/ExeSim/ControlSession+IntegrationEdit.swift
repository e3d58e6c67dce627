/// `integrations edit <name> [flags]` (exe.dev/docs/integrations.md):
/// changes an integration's comment and type-specific settings in place;
/// `--step-up` marks it as needing a fresh approval before each use (recorded
/// as `"step_up":"true"` in its config, a guess: nothing is approved in the
/// simulator); `--step-up-require-passkey` likewise as
/// `"step_up_require_passkey":"true"`. Like `integrations add`, it defines no `--json`.
extension ControlSession {
    func integrationEdit() throws {
        guard arguments.count == 1 else { throw CommandFailure("usage: integrations edit <name> [flags]") }
        let name = arguments[0]
        let changed = ["comment", "target", "header", "bearer", "repository", "fields", "step-up", "step-up-require-passkey"].filter { flags.isSet($0) }
        guard !changed.isEmpty else { throw CommandFailure("nothing to change: pass at least one flag") }
        try store.update { state in
            guard let index = state.integrations.firstIndex(where: { $0.name == name }) else {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) not found")
            }
            var integration = state.integrations[index]
            if integration.builtin, changed.contains(where: { !["comment", "fields", "step-up", "step-up-require-passkey"].contains($0) }) {
                throw CommandFailure("integration \(GoFlagParser.goQuote(name)) is built in; only --comment, --fields and --step-up can change")
            }
            for flag in ["target", "header", "bearer"] where changed.contains(flag) && integration.type != "http-proxy" {
                throw CommandFailure("--\(flag) applies to http-proxy integrations, not \(integration.type)")
            }
            if changed.contains("repository"), integration.type != "github" {
                throw CommandFailure("--repository applies to github integrations, not \(integration.type)")
            }
            if changed.contains("fields"), integration.type != "reflection" {
                throw CommandFailure("--fields applies to reflection integrations, not \(integration.type)")
            }
            if let comment = flags.string("comment"), changed.contains("comment") { integration.comment = comment }
            if let target = flags.string("target"), changed.contains("target") {
                guard !target.isEmpty else { throw CommandFailure("--target cannot be empty") }
                integration.config["target"] = target
            }
            if changed.contains("header") {
                for header in flags.list("header") {
                    if let problem = IntegrationRules.headerProblem(header) { throw CommandFailure("invalid header: \(problem)") }
                    integration.config["header"] = IntegrationRules.redactedHeader(header)
                }
            }
            // As `integrations add` stores it: the bearer becomes an Authorization header.
            if changed.contains("bearer") { integration.config["header"] = "Authorization:***" }
            if let repository = flags.string("repository"), changed.contains("repository") { integration.config["repository"] = repository }
            if let fields = flags.string("fields"), changed.contains("fields") {
                integration.config["fields"] = try IntegrationRules.reflectionFields(fields).joined(separator: ",")
            }
            if changed.contains("step-up") {
                if flags.bool("step-up") { integration.config["step_up"] = "true" } else { integration.config.removeValue(forKey: "step_up") }
            }
            if changed.contains("step-up-require-passkey") {
                if flags.bool("step-up-require-passkey") {
                    integration.config["step_up_require_passkey"] = "true"
                } else {
                    integration.config.removeValue(forKey: "step_up_require_passkey")
                }
            }
            state.integrations[index] = integration
        }
        output.line("Updated integration \(name)")
    }
}
