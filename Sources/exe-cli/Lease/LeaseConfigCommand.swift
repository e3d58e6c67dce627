import ArgumentParser
import ExeLease
import Foundation

/// `exe-cli lease config`.
struct LeaseConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Show each lease setting and where it came from.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseOptions

    struct Row: Encodable {
        let name: String
        let value: String
        let source: String
    }

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        let root = await LeaseSession.repositoryRoot()
        do {
            let settings = try LeaseSettings.resolve(overrides: try lease.overrides(controlHost: global.controlHost), repositoryRoot: root, environment: environment.variables)
            let rows = settings.descriptionLines.map { Row(name: $0.name, value: $0.value, source: $0.source.rawValue) }
            let output = Output(json: global.json || environment.variable("EXE_JSON") == "1", console: environment.console)
            try output.result(["settings": rows]) {
                output.table(["SETTING", "VALUE", "SOURCE"], rows.map { [$0.name, $0.value, $0.source] })
                    + (settings.files.isEmpty ? "" : "\nfiles read: " + settings.files.joined(separator: ", "))
            }
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
    }
}
