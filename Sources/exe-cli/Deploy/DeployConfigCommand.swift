import ArgumentParser
import ExeDeploy

/// `exe-cli deploy config`.
struct DeployConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show each deploy setting, its value and where it came from (secrets redacted).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployOptions

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        do {
            let configuration = try await DeploySession.configuration(deploy, environment: environment, validation: .none)
            var problem: String?
            do { try configuration.validate() } catch let error as DeployError { problem = error.message }
            let settings = try ControlSettings(global, environment: environment)
            let output = Output(json: settings.json, console: environment.console)
            let rows = configuration.rows
            try output.result(["settings": rows]) {
                output.table(["SETTING", "VALUE", "SOURCE"], rows.map { [$0.name, $0.value, $0.source] })
                    + "\nfile read: " + (configuration.filePath ?? "none (\(DeployConfigurationFile.fileName) not found)")
                    + (problem.map { "\nproblem: " + $0 } ?? "")
            }
            if problem != nil { throw CLIExit(.usage) }
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
    }
}
