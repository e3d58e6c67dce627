import ArgumentParser
import ExeDeploy
import ExeSystem
import Foundation

/// `exe-cli doctor [VM]`: the troubleshooting checklist, each check with
/// its evidence and the command that fixes it; `--fix` applies the safe ones.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check an app's control plane, VM, proxy, containers, files, registry and repository; name (or --fix) what is wrong.",
        discussion: """
            Runs every check in order and stops at none: ✓ fine, ! warning, ✗ failed, - skipped. Each ✗ and ! names its fix. \
            --fix applies the safe, reversible ones (share port, set-public when exe.deploy.yaml says public: true, restarting \
            an exited container), asking first on a terminal. When --fix applied something the checks run again. Exit 0 when nothing failed (after --fix: in the second run), 1 otherwise.
            """)

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployTargetOptions
    @Argument(help: ArgumentHelp("The VM (default: the app's VM from exe.deploy.yaml).", valueName: "vm")) var name: String?
    @Flag(help: "Apply the safe fixes (share port, set-public, restart an exited container).") var fix = false
    @Flag(name: [.short, .customLong("yes")], help: "Do not ask before --fix applies them (asked only on a terminal).") var yes = false
    @Option(help: "Seconds each check may take.") var deadline = 20

    func validate() throws {
        if !(1...600).contains(deadline) { throw ValidationError("--deadline must be 1-600 seconds") }
    }

    /// The deploy flags with the VM argument.
    struct Flags: DeploySettingsFlags {
        let options: DeployTargetOptions
        let vm: String?
        var validation: DeployValidation { .none }
        func overrides() -> DeployOverrides {
            var overrides = options.overrides()
            if let vm { overrides.vm = vm }
            return overrides
        }
    }

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        let (target, outcome) = try await Self.target(Flags(options: deploy, vm: name), name: name, environment: environment)
        let fix = self.fix, yes = self.yes, deadline = self.deadline
        try await CommandSession.run(global, environment: environment) { session in
            let context = DeployContext(
                control: session.client, processRunner: LocalProcessRunner(), connect: { vm in try await session.connect(to: vm) },
                httpProbe: session.settings.httpProbe(environment: environment))
            let doctor = Doctor(target: target, configuration: outcome, context: context, deadline: deadline)
            var report = await doctor.examine()
            let json = session.output.json
            if !json { session.console.print(DoctorReportText.render(report)) }
            if fix {
                let repairable = report.repairable
                if repairable.isEmpty {
                    if !json { session.console.print("\n--fix: nothing here is safe to repair automatically") }
                } else {
                    let list = repairable.compactMap(\.fix?.command).joined(separator: "; ")
                    if Confirmation.ask("apply \(repairable.count) fix(es): \(list)?", assumeYes: yes, console: session.console) {
                        let repairs = await doctor.repair(report)
                        if !json { session.console.print("\n" + DoctorReportText.repairs(repairs)) }
                        if repairs.contains(where: \.applied) {
                            // Check again: the exit status says whether the repairs worked.
                            let before = report.checks
                            report = await doctor.examine()
                            report.before = before
                            if !json { session.console.print("\nafter the fixes:\n" + DoctorReportText.render(report)) }
                        }
                        report.repairs = repairs
                    } else if !json {
                        session.console.printError("not confirmed; nothing was changed (pass --yes to skip the question)")
                    }
                }
            }
            if json { session.console.print(try JSONRenderer.render(report)) }
            if !report.passed { throw CLIExit(.commandFailed) }
        }
    }

    /// The settings to check: `exe.deploy.yaml` (with the VM argument), or
    /// only the VM when there is no valid file.
    static func target(_ flags: Flags, name: String?, environment: CLIEnvironment) async throws -> (DoctorTarget, DoctorRules.ConfigurationOutcome) {
        do {
            let configuration = try await DeploySession.configuration(flags, environment: environment, validation: .none)
            guard let path = configuration.filePath else {
                guard let name else {
                    environment.console.printError(
                        "error: no exe.deploy.yaml here or above (up to the git work tree's top): name the VM, `exe-cli doctor VM`")
                    throw CLIExit(.usage)
                }
                return (DoctorTarget(vm: name), .missing)
            }
            var summary = "app \(configuration.app), Pattern \(configuration.pattern == .replace ? "A" : "B"), VM \(configuration.vm)"
            if let port = configuration.port { summary += ", port \(port)" }
            return (DoctorTarget(configuration), .loaded(path: path, summary: summary))
        } catch let error as DeployError {
            guard let name else { throw CommandSession.report(error, console: environment.console) }
            return (DoctorTarget(vm: name), .invalid(error.message))
        }
    }
}
