import ArgumentParser
import ExeControl

/// `--range` values.
enum StatRangeChoice: String, ExpressibleByArgument, CaseIterable {
    case day = "24h", week = "7d", month = "30d"

    var range: StatRange { StatRange(rawValue: rawValue)! }
}

/// `exe-cli vm stat NAME [--range 24h|7d|30d]`.
struct VMStatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Show a VM's CPU, memory, disk and network use.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @Option(help: "24h, 7d or 30d.") var range: StatRangeChoice = .day
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        let stats = try await session.client.stat(name, range: range.range)
        try session.output.result(stats) {
            guard !stats.points.isEmpty else { return "No samples for \(stats.name) in the last \(stats.range ?? range.rawValue)." }
            return session.output.table(
                ["TIME (UTC)", "CPU CORES", "MEMORY GB", "DISK GB", "NET RX Mbps", "NET TX Mbps"],
                stats.points.map { point in
                    [
                        DisplayFormat.date(point.timestamp), DisplayFormat.number(point.cpuCores), DisplayFormat.number(point.memoryUsedGB),
                        DisplayFormat.number(point.diskUsedGB), DisplayFormat.number(point.networkRxMbps), DisplayFormat.number(point.networkTxMbps),
                    ]
                })
        }
    }
}
