import ExeControl
import ExeSSH
import Foundation

/// The recent logs of a Pattern A VM, for a failed health check and for
/// `exe-cli deploy logs`: the control plane's `vm-logs` (the VM's startup
/// log) when the server has it, else the containers' logs read through
/// the VM (`docker logs`).
enum VMLogs {
    private struct Answer: Decodable { let logs: [String]? }

    static func fetch(
        _ vm: VM, tail: Int, configuration: DeployConfiguration, context: DeployContext, redactor: SecretRedactor
    ) async -> String {
        var problems: [String] = []
        do {
            let output = try await context.control.execute(
                ControlRequest(["vm-logs"], arguments: [ControlWord(vm.name)], isReadOnly: true))
            let lines = try output.decodeLast(Answer.self).logs ?? []
            if !lines.isEmpty { return redactor.redact(lines.suffix(tail).joined(separator: "\n")) }
        } catch {
            problems.append("vm-logs: \(error.message)")
        }
        do {
            let sections: [String]? = try await context.withConnection(to: vm) { connection in
                let list = try await connection.run(
                    configuration.dockerCommand(["ps", "-a", "--format", "{{.Names}}"]), timeout: .seconds(60))
                let names = list.stdout.split(whereSeparator: \.isNewline).map(String.init).prefix(3)
                guard list.succeeded, !names.isEmpty else { return nil }
                var sections: [String] = []
                for name in names {
                    let logs = try await connection.run(
                        configuration.dockerCommand(["logs", "--tail", String(tail), name]), timeout: .seconds(60))
                    let text = (logs.stdout + logs.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
                    let body = text.isEmpty ? "(no output)" : text
                    sections.append(names.count > 1 ? "[\(name)]\n\(body)" : body)
                }
                return sections
            }
            guard let sections else {
                problems.append("no containers found through the VM")
                return "(no logs: \(redactor.redact(problems.joined(separator: "; "))))"
            }
            return redactor.redact(sections.joined(separator: "\n"))
        } catch {
            problems.append("through the VM: \(error)")
            return "(no logs: \(redactor.redact(problems.joined(separator: "; "))))"
        }
    }
}
