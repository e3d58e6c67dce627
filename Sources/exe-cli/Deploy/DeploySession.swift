import ExeDeploy
import ExeSSH
import ExeSystem
import Foundation
import Synchronization

/// Runs a deploy command: resolves the deploy settings, opens a
/// ``CommandSession``, and hands the body a ``Deployer`` whose progress goes
/// to stderr (a ticking line on a terminal).
enum DeploySession {
    /// The settings for `options` in the current repository.
    static func configuration(
        _ options: some DeploySettingsFlags, environment: CLIEnvironment, validation: DeployValidation
    ) async throws -> DeployConfiguration {
        try await resolution(options, environment: environment, validation: validation).value
    }

    /// The settings for `options` in the current repository, with where
    /// each came from (`deploy config`).
    static func resolution(
        _ options: some DeploySettingsFlags, environment: CLIEnvironment, validation: DeployValidation
    ) async throws -> SettingsResolution<DeployConfiguration> {
        var variables = environment.variables
        if variables["USER", default: ""].isEmpty { variables["USER"] = environment.ssh.userName }
        let resolution = try DeployConfiguration.resolve(
            overrides: options.overrides(), repositoryRoot: await appRoot(), environment: variables, hostName: hostName(),
            validating: validation == .deploy)
        if validation == .target { try resolution.validateTarget() }
        return resolution
    }

    /// The app's directory: the nearest directory from the current one up to
    /// the git work tree's top that has `exe.deploy.yaml` (so apps in a
    /// monorepo deploy from their own directory), else the work tree's top.
    static func appRoot() async -> String { await DeployConfigurationFile.appRoot() }

    static func run(
        _ global: GlobalOptions, _ options: some DeploySettingsFlags, environment: CLIEnvironment = .process,
        _ body: (Deployer, CommandSession) async throws -> Void
    ) async throws {
        let configuration: DeployConfiguration
        do {
            configuration = try await self.configuration(options, environment: environment, validation: options.validation)
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
        let printer = DeployProgressPrinter(console: environment.console)
        defer { printer.finish() }
        try await DeployProgressPrinter.$current.withValue(printer) {
            try await run(global, configuration: configuration, printer: printer, environment: environment, body)
        }
    }

    private static func run(
        _ global: GlobalOptions, configuration: DeployConfiguration, printer: DeployProgressPrinter, environment: CLIEnvironment,
        _ body: (Deployer, CommandSession) async throws -> Void
    ) async throws {
        try await CommandSession.run(global, environment: environment) { session in
            var configuration = configuration
            let hold = try await ExeHostedRegistry.prepare(&configuration, session: session)
            var context = DeployContext(
                control: session.client, processRunner: LocalProcessRunner(), connect: { vm in try await session.connect(to: vm) },
                httpProbe: session.settings.httpProbe(environment: environment), progress: { printer.handle($0) })
            context.connectForForwarding = { vm in try await session.connectDirect(to: vm) }
            do {
                try await body(Deployer(configuration: configuration, context: context), session)
            } catch {
                await hold?.end()
                throw error
            }
            await hold?.end()
        }
    }

    /// Runs a deploy or rollback so that Ctrl-C cancels it (it then cleans
    /// up: the lock, a half-made VM); prints the report as text or JSON, and
    /// on failure prints what the report says before the error.
    ///
    /// One Ctrl-C ends with exit 130 and "interrupted during STEP" once the
    /// cleanup is done, whatever error the cancelled step reported; a second
    /// one quits at once and says what was left (the lock, a VM) and how to
    /// clean it up.
    ///
    /// With `--json` a failed deploy still prints a report on stdout (one
    /// without steps when it failed before any, e.g. on a held lock).
    static func perform(
        _ session: CommandSession, action: DeployAction, configuration: DeployConfiguration,
        _ work: @escaping @Sendable () async throws -> DeployReport
    ) async throws {
        let app = configuration.app
        let printer = DeployProgressPrinter.current
        let interrupt = InterruptibleWork.Interrupt()
        do {
            let report = try await InterruptibleWork.run(interrupt: interrupt, work) {
                printer?.finish()
                var lines = ["\ninterrupted again: quitting at once" + (printer?.lastPhase.map { " during \($0)" } ?? "")]
                lines += (printer?.leftovers(app: app) ?? []).map { "left: " + $0 }
                FileDescriptorWriter.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: 2)
            }
            try session.output.result(report) { DeployReportText.render(report) }
        } catch let error where interrupt.isFired {
            if session.output.json, let report = (error as? DeployError)?.report { session.console.print(try JSONRenderer.render(report)) }
            session.console.printError("error: interrupted" + (printer?.lastPhase.map { " during \($0)" } ?? "") + "; cleaned up")
            throw CLIExit(.interrupted)
        } catch let error as DeployError {
            if session.output.json, error.report == nil {
                var report = DeployReport(action: action, app: app, pattern: configuration.pattern, vm: configuration.vm)
                report.error = error.message
                session.console.print(try JSONRenderer.render(report))
            }
            if let report = error.report {
                if session.output.json {
                    session.console.print(try JSONRenderer.render(report))
                } else {
                    for note in report.notes { session.console.printError("note: " + note) }
                    session.console.printError(report.timings.line)
                }
            }
            throw error
        }
    }

    /// This machine's name (`gethostname`).
    static func hostName() -> String { LocalHostName.current() }
}

/// The text `exe-cli deploy` prints when a deploy or rollback succeeds.
enum DeployReportText {
    static func render(_ report: DeployReport) -> String {
        var lines: [String]
        switch (report.action, report.outcome) {
        case (_, .candidate):
            lines = ["candidate of \(report.app) ready (not live; \(report.vm) keeps serving): \(report.url ?? "(no URL)")"]
        case (.discard, _):
            lines = ["discarded the candidate \(report.candidate?.container ?? report.candidate?.vm ?? "") of \(report.app); live on \(report.vm): \(report.url ?? "(no URL)")"]
        case (.promote, _):
            lines = ["promoted \(report.app) on \(report.vm): \(report.url ?? "(no URL)")"]
        case (.rollback, _):
            lines = ["rolled back \(report.app) on \(report.vm): \(report.url ?? "(no URL)")"]
        case (.deploy, _):
            lines = ["deployed \(report.app) on \(report.vm): \(report.url ?? "(no URL)")"]
        }
        if let image = report.image { lines.append("image: \(image)") }
        if let digest = report.digest { lines.append("digest: \(digest)") }
        if let previous = report.previousImage { lines.append("previous: \(previous)") }
        lines += report.notes.map { "note: " + $0 }
        lines.append(report.timings.line)
        return lines.joined(separator: "\n")
    }
}

/// Runs work in a task that Ctrl-C cancels; a second Ctrl-C ends the
/// process at once.
enum InterruptibleWork {
    /// Whether Ctrl-C was pressed.
    final class Interrupt: Sendable {
        private let count = Atomic<Int>(0)
        /// Counts one Ctrl-C; returns how many there were.
        func fire() -> Int { count.add(1, ordering: .relaxed).newValue }
        /// At least one Ctrl-C.
        var isFired: Bool { count.load(ordering: .relaxed) > 0 }
    }

    /// Runs `work`; the first Ctrl-C cancels it, the second calls
    /// `quitting` and ends the process with 130.
    static func run<T: Sendable>(
        interrupt: Interrupt = Interrupt(), _ work: @escaping @Sendable () async throws -> T, quitting: @escaping @Sendable () -> Void = {}
    ) async throws -> T {
        let task = Task { try await work() }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            // Ctrl-Cs that arrive before the handler runs come as one event
            // (the cycle through `source` ends with `cancel()` below).
            var presses = 0
            for _ in 0..<max(1, Int(source.data)) { presses = interrupt.fire() }
            if presses > 1 {
                quitting()
                ExeCommand.terminate(CLIExitCode.interrupted.rawValue)
            }
            FileDescriptorWriter.write(Data("\ninterrupted: cleaning up (Ctrl-C again to quit at once)\n".utf8), to: 2)
            task.cancel()
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return try await task.value
    }
}
