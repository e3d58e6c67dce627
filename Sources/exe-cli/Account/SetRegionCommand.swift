import ArgumentParser
import ExeControl

/// `exe-cli set-region CODE`.
struct SetRegionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-region", abstract: "Set the region new VMs are created in (lax, nyc, dal, fra, tyo, syd, sgp, lon, ...).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Argument(help: "The region code.") var code: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let setting = try await session.client.setRegion(code)
            try session.output.result(setting) { "Region: \(setting.regionDisplay ?? setting.region) (\(setting.region))." }
        }
    }
}
