import ExeDeploy
import ExeSSH
import ExeSystem
import Foundation

/// Runs a deploy command: resolves the deploy settings, opens a
/// ``CommandSession``, and hands the body a ``Deployer`` whose progress goes
/// to stderr (a ticking line on a terminal).
enum DeploySession {
    /// The settings for `options` in the current repository.
    static func configuration(_ options: DeployOptions, environment: CLIEnvironment, validating: Bool = true) async throws -> DeployConfiguration {
        var variables = environment.variables
        if variables["USER", default: ""].isEmpty { variables["USER"] = environment.ssh.userName }
        return try DeployConfiguration.resolve(
            overrides: options.overrides(), repositoryRoot: await appRoot(), environment: variables, hostName: hostName(),
            validating: validating)
    }

    /// The app's directory: the nearest directory from the current one up to
    /// the git work tree's top that has `exe.deploy.yaml` (so apps in a
    /// monorepo deploy from their own directory), else the work tree's top.
    static func appRoot() async -> String {
        let top = await RepositoryRoot.find()
        var directory = FileManager.default.currentDirectoryPath
        while directory.hasPrefix(top) {
            if FileManager.default.fileExists(atPath: directory + "/" + DeployConfigurationFile.fileName) { return directory }
            if directory == top { break }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return top
    }

    static func run(
        _ global: GlobalOptions, _ options: DeployOptions, environment: CLIEnvironment = .process,
        _ body: (Deployer, CommandSession) async throws -> Void
    ) async throws {
        let configuration: DeployConfiguration
        do {
            configuration = try await self.configuration(options, environment: environment)
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
        let printer = DeployProgressPrinter(console: environment.console)
        defer { printer.finish() }
        try await CommandSession.run(global, environment: environment) { session in
            let context = DeployContext(
                control: session.client, processRunner: LocalProcessRunner(), connect: { vm in try await session.connect(to: vm) },
                httpProbe: URLSessionHTTPProbe(connectTo: environment.variable("EXE_VM_PROXY")), progress: { printer.handle($0) })
            try await body(Deployer(configuration: configuration, context: context), session)
        }
    }

    /// Runs a deploy or rollback so that Ctrl-C cancels it (it then cleans
    /// up: the lock, a half-made VM); prints the report as text or JSON, and
    /// on failure prints what the report says before the error.
    static func perform(_ session: CommandSession, _ work: @escaping @Sendable () async throws -> DeployReport) async throws {
        do {
            let report = try await InterruptibleWork.run(work)
            try session.output.result(report) { DeployReportText.render(report) }
        } catch let error as DeployError {
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
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }
}

/// The text `exe-cli deploy` prints when a deploy or rollback succeeds.
enum DeployReportText {
    static func render(_ report: DeployReport) -> String {
        var lines = ["\(report.action == "rollback" ? "rolled back" : "deployed") \(report.app) on \(report.vm): \(report.url ?? "(no URL)")"]
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
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            FileDescriptorWriter.write(Data("\ninterrupted: cleaning up (Ctrl-C again to quit at once)\n".utf8), to: 2)
            signal(SIGINT, SIG_DFL)
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
