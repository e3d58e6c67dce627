import ArgumentParser
import ExeDeploy

/// `exe-cli deploy status`.
struct DeployStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "What is live, since when, from whom, and whether it answers (exit 9 when it does not).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployTargetOptions

    mutating func run() async throws {
        try await DeploySession.run(global, deploy) { deployer, session in
            let status = try await deployer.status()
            try session.output.result(status) {
                var lines = [
                    "app: \(status.app) (\(status.pattern.rawValue))", "vm: \(status.vm) (\(status.vmStatus ?? "unknown"))",
                    "url: \(status.url ?? "(none)")", "image: \(status.image ?? "(unknown)")",
                ]
                if let digest = status.digest { lines.append("digest: \(digest)") }
                if let last = status.lastDeploy {
                    lines.append("last \(last.action): \(last.result) by \(last.actor) at \(LeaseClaimOutput.format(last.time))")
                }
                lines.append("health: \(status.health)")
                lines.append("lock: \(status.lock ?? "free")")
                if let candidate = status.candidate {
                    var line = "candidate: \(candidate.container ?? candidate.vm) \(candidate.image ?? "(image unknown)") at \(candidate.url ?? "(no URL)")"
                    if let since = candidate.since { line += " since \(LeaseClaimOutput.format(since))" }
                    if let by = candidate.by { line += " by \(by)" }
                    lines.append(line + " (promote: \(deployer.configuration.command("promote")); discard: \(deployer.configuration.command("discard")))")
                }
                if let containers = status.containers { lines.append("containers:\n\(containers)") }
                lines += status.problems.map { "problem: \($0)" }
                return lines.joined(separator: "\n")
            }
            if !status.healthy { throw CLIExit(.unhealthy) }
        }
    }
}

/// `exe-cli deploy logs`.
struct DeployLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "The app's recent logs: its compose services (Pattern B) or its VM (Pattern A).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployTargetOptions
    @Option(help: "How many lines per container.") var tail = 100

    struct Result: Encodable {
        let vm: String
        let logs: String
    }

    func validate() throws {
        if tail < 1 { throw ValidationError("--tail must be at least 1") }
    }

    mutating func run() async throws {
        let tail = self.tail
        try await DeploySession.run(global, deploy) { deployer, session in
            let logs = try await deployer.logs(tail: tail)
            try session.output.result(Result(vm: deployer.configuration.vm, logs: logs)) { logs }
        }
    }
}
