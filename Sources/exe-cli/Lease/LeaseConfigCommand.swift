import ArgumentParser
import ExeLease
import ExeSystem
import Foundation

/// `exe-cli lease config`.
struct LeaseConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Show each lease setting and where it came from.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseOptions

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        let root = await LeaseSession.repositoryRoot()
        do {
            let resolution = try LeaseSettings.resolve(
                overrides: try lease.overrides(controlHost: global.controlHost), repositoryRoot: root, environment: environment.variables)
            let rows = resolution.rows
            let output = Output(json: global.json || environment.variable("EXE_JSON") == "1", console: environment.console)
            try output.result(["settings": rows]) {
                output.table(["SETTING", "VALUE", "SOURCE"], rows.map { [$0.name, $0.value, $0.sourceText] })
                    + (resolution.files.isEmpty ? "" : "\nfiles read: " + resolution.files.joined(separator: ", "))
            }
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
    }
}
