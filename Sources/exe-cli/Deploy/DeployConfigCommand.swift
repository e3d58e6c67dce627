import ArgumentParser
import ExeDeploy
import ExeSystem

/// `exe-cli deploy config`.
struct DeployConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show each deploy setting, its value and where it came from (secrets redacted).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var deploy: DeployOptions

    mutating func run() async throws {
        let environment = CLIEnvironment.process
        do {
            let resolution = try await DeploySession.resolution(deploy, environment: environment, validation: .none)
            var problem: String?
            do { try resolution.validate() } catch let error as DeployError { problem = error.message }
            let settings = try ControlSettings(global, environment: environment)
            let output = Output(json: settings.json, console: environment.console)
            let rows = resolution.rows
            try output.result(["settings": rows]) {
                output.table(["SETTING", "VALUE", "SOURCE"], rows.map { [$0.name, $0.value, $0.sourceText] })
                    + "\nfile read: " + (resolution.value.filePath ?? "none (\(DeployConfigurationFile.fileName) not found)")
                    + (problem.map { "\nproblem: " + $0 } ?? "")
            }
            if problem != nil { throw CLIExit(.usage) }
        } catch {
            throw CommandSession.report(error, console: environment.console)
        }
    }
}
