import ArgumentParser
import ExeLease

/// `exe-cli lease pause`.
struct LeasePauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a lease's VM (memory and processes kept; it costs nothing while paused).",
        discussion: "`lease resume`, `lease run` and `lease warmup --reuse` bring it back. `lease gc` stops a lease paused longer than the paused TTL.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Argument(help: "The lease: id, slug or VM name.") var id: String

    mutating func run() async throws {
        let key = id
        try await LeaseSession.run(global, lease) { leases, session in
            let outcome = try await leases.pause(try leases.lookup(key))
            try session.output.result(outcome) { "\(outcome.result) \(outcome.lease) (\(outcome.vmName))" }
        }
    }
}

/// `exe-cli lease resume`.
struct LeaseResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused lease with its processes, and wait until it answers over SSH.")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Argument(help: "The lease: id, slug or VM name.") var id: String

    mutating func run() async throws {
        let key = id
        try await LeaseSession.run(global, lease) { leases, session in
            let outcome = try await leases.resume(try leases.lookup(key))
            try session.output.result(outcome) { "\(outcome.result) \(outcome.lease) (\(outcome.vmName))" }
        }
    }
}
