import ExeControl
import ExeLease
import ExeSSH
import ExeSystem
import Foundation

/// Runs a lease command: resolves the lease settings (their control host
/// layers included), opens a ``CommandSession`` against that control host,
/// and hands the body a ``Leases`` service.
enum LeaseSession {
    static func run(
        _ global: GlobalOptions, _ options: some LeaseSettingsFlags, allowEnv: [String] = [], environment: CLIEnvironment = .process,
        _ body: (Leases, CommandSession) async throws -> Void
    ) async throws {
        let root = await repositoryRoot()
        let settings: LeaseSettings
        do {
            settings = try LeaseSettings.resolve(
                overrides: try options.overrides(controlHost: global.controlHost, allowEnv: allowEnv), repositoryRoot: root,
                environment: environment.variables).value
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
        try await CommandSession.run(global, environment: environment, controlHost: settings.controlHost) { session in
            let console = session.console
            var context = LeaseContext(
                control: session.client, controlHost: settings.controlHost,
                claims: LeaseClaimStore(directory: session.environment.stateDirectory + "/leases"), settings: settings,
                vmConfiguration: { destination in session.settings.vmSSHConfiguration(host: destination.host, environment: session.environment) },
                defaultUser: session.environment.ssh.userName, repositoryRoot: root,
                progress: { message in console.printError(message) })
            let persistence = session.settings.persistence
            context.connect = { destination, configuration in try await persistence.connect(to: destination, configuration: configuration) }
            // run and sharded runs ride the connection holder (ssh, status and tunnel do through `connect`); warmup's readiness probes stay direct.
            context.readyVMs = session.vmConnector()
            try await body(Leases(context: context), session)
        }
    }

    /// The git work tree's top directory, or the current directory.
    static func repositoryRoot() async -> String { await RepositoryRoot.find() }
}
