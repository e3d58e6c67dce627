import ArgumentParser
import ExeDeploy
import Foundation

/// `exe-cli deploy ...`: build, push and deploy an app (Pattern A or B).
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy the app in this repository: Pattern A (replace a VM from an image) or B (update a compose app in place).",
        discussion: """
            Settings: flags > EXE_DEPLOY_* > exe.deploy.yaml > defaults; see `exe-cli deploy config` and Docs/ExeDeploy.md.
            Exit codes besides the usual: 8 the deploy lock is held, 9 the release failed its health check (the previous one was kept or restored), 10 promote/discard found no candidate release, or a deploy/rollback found one waiting.
            """,
        subcommands: [
            DeployRunCommand.self, DeployRollbackCommand.self, DeployPromoteCommand.self, DeployDiscardCommand.self, DeployStatusCommand.self, DeployLogsCommand.self, DeployUnlockCommand.self,
            DeployConfigCommand.self, DeployInitCommand.self,
        ],
        defaultSubcommand: DeployRunCommand.self
    )
}

/// `exe-cli deploy [run]`.
struct DeployRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Build and push the image, then deploy it (what `exe-cli deploy` does).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployOptions
    @Flag(
        name: .customLong("no-promote"),
        help:
            "Stop once the new release is healthy beside the live one and print its own URL; `deploy promote` swaps it in, `deploy discard` removes it. Refused while a candidate waits (exit 10).")
    var noPromote = false

    mutating func run() async throws {
        let promote = !noPromote
        try await DeploySession.run(global, deploy) { deployer, session in
            try await DeploySession.perform(session, action: .deploy, configuration: deployer.configuration) {
                try await deployer.deploy(promote: promote)
            }
        }
    }
}

/// `exe-cli deploy promote`.
struct DeployPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract:
            "Swap in the candidate release left by `deploy --no-promote`, health-gated again, as the deploy would have (exit 10 when there is none).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployOptions

    mutating func run() async throws {
        try await DeploySession.run(global, deploy) { deployer, session in
            try await DeploySession.perform(session, action: .promote, configuration: deployer.configuration) { try await deployer.promote() }
        }
    }
}

/// `exe-cli deploy discard`.
struct DeployDiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Remove the candidate release left by `deploy --no-promote`; the live release is not touched (exit 10 when there is none).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployTargetOptions

    mutating func run() async throws {
        try await DeploySession.run(global, deploy) { deployer, session in
            try await DeploySession.perform(session, action: .discard, configuration: deployer.configuration) { try await deployer.discard() }
        }
    }
}

/// `exe-cli deploy rollback`.
struct DeployRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract:
            "Go back one release: Pattern A resumes the previous release kept paused (--keep-releases) and swaps it back, else redeploys the previous image (from the audit log, or --image); Pattern B puts the previous compose file back.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployOptions

    mutating func run() async throws {
        try await DeploySession.run(global, deploy) { deployer, session in
            let image = deployer.configuration.prebuiltImage
            try await DeploySession.perform(session, action: .rollback, configuration: deployer.configuration) { try await deployer.rollback(to: image) }
        }
    }
}

/// `exe-cli deploy unlock`.
struct DeployUnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Break the app's deploy lock (left by a deploy that died). Make sure no deploy is running.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployTargetOptions

    @Flag(name: [.short, .customLong("yes")], help: "Do not ask for confirmation (it is asked only on a terminal).") var yes = false

    struct Result: Encodable {
        let app: String
        let vm: String
        let wasLocked: Bool
        let holder: String?
    }

    mutating func run() async throws {
        let yes = self.yes
        try await DeploySession.run(global, deploy) { deployer, session in
            try Confirmation.require(
                "Break the deploy lock of \(deployer.configuration.app) on \(deployer.configuration.vm)? Make sure no deploy is running.",
                assumeYes: yes, console: session.console)
            let holder = try await deployer.unlock()
            let summary = holder?.summary(at: Date())
            let result = Result(app: deployer.configuration.app, vm: deployer.configuration.vm, wasLocked: holder != nil, holder: summary)
            try session.output.result(result) {
                summary.map { "broke the deploy lock of \(result.app) on \(result.vm), held by \($0)" } ?? "\(result.app) on \(result.vm) was not locked"
            }
        }
    }
}
