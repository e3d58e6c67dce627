import ArgumentParser
import ExeControl

/// `exe-cli vm pause NAME`.
struct VMPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a VM: it keeps its memory and processes; SSH and HTTPS stop answering until resume.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let result = try await session.client.pause(name)
            try session.output.result(result) { "Paused \(result.name). Run `exe-cli vm resume \(result.name)` to continue it." }
        }
    }
}

/// `exe-cli vm resume NAME`.
struct VMResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused VM with its processes.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The VM.") var name: String

    mutating func run() async throws {
        try await CommandSession.run(global) { session in
            let result = try await session.client.resume(name)
            try session.output.result(result) { "Resumed \(result.name) (\(result.status))." }
        }
    }
}
