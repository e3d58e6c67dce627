import Foundation
import ExeControl
import ExeDeploy
import ExeLease
import ExeSSH

/// What a command runs with: resolved settings, the environment, a client
/// and the output style. ``run(_:environment:_:)`` creates it, runs the
/// command's body, closes the client and turns every failure into one line on
/// stderr and an exit code (``CLIExitCode``).
///
/// `deploy` and `lease` commands use it the same way:
///
/// ```swift
/// mutating func run() async throws {
///     try await CommandSession.run(global) { session in
///         let vms = try await session.client.list()
///         try session.output.result(vms) { ... }
///     }
/// }
/// ```
struct CommandSession: Sendable {
    let settings: ControlSettings
    let environment: CLIEnvironment
    let client: ControlClient

    /// JSON or text, to the environment's console.
    var output: Output { Output(json: settings.json, console: environment.console) }
    /// The console.
    var console: Console { environment.console }

    /// Runs `body` with a session built from `global` and `environment`.
    ///
    /// - Parameter controlHost: overrides the control host the global options
    ///   name (lease commands resolve theirs from their own settings layers).
    static func run(
        _ global: GlobalOptions, environment: CLIEnvironment = .process, controlHost: String? = nil,
        _ body: (CommandSession) async throws -> Void
    ) async throws {
        try await run(global.connection, json: global.json, environment: environment, controlHost: controlHost, body)
    }

    /// ``run(_:environment:controlHost:_:)`` for commands without `--json`.
    static func run(
        _ connection: ConnectionOptions, json: Bool, environment: CLIEnvironment = .process, controlHost: String? = nil,
        _ body: (CommandSession) async throws -> Void
    ) async throws {
        let console = environment.console
        let session: CommandSession
        do {
            var settings = try ControlSettings(connection, json: json, environment: environment)
            if let controlHost { settings.controlHost = controlHost }
            session = CommandSession(settings: settings, environment: environment, client: try settings.makeClient(environment: environment))
        } catch {
            throw report(error, console: console)
        }
        do {
            try await body(session)
            await session.client.close()
        } catch {
            await session.client.close()
            throw report(error, console: console)
        }
    }

    /// Prints `error` as one line on stderr and returns the exit to end with.
    static func report(_ error: any Error, console: Console) -> CLIExit {
        // A lease error wrapping a lower layer's reports (and exits) as that error.
        if let lease = error as? LeaseError, let underlying = lease.underlying { return report(underlying, console: console) }
        switch error {
        case let exit as CLIExit:
            return exit
        case let error as ControlError:
            console.printError("error: " + hostKeyHint(oneLine(error.message)))
            return CLIExit(CLIExitCode(error.kind))
        case let error as SSHError:
            console.printError("error: " + hostKeyHint(oneLine(error.message)))
            return CLIExit(CLIExitCode(error.kind))
        case let error as LeaseError:
            console.printError("error: " + (error.kind.isSync ? "sync: " : "") + oneLine(error.message))
            return CLIExit(CLIExitCode(error.kind))
        case let error as DeployError:
            console.printError("error: " + error.message)
            return CLIExit(CLIExitCode(error.kind))
        case let error as CLIUsageError:
            console.printError("error: " + oneLine(error.description))
            return CLIExit(.usage)
        default:
            console.printError("error: " + oneLine("\(error)"))
            return CLIExit(.commandFailed)
        }
    }

    /// A library message naming "the accept-new host key policy" with the
    /// exact flag that sets it.
    static func hostKeyHint(_ message: String) -> String {
        message.replacingOccurrences(
            of: "connect once with the accept-new host key policy to record it",
            with: "run once with --host-key-policy accept-new (or EXE_HOST_KEY_POLICY=accept-new) to record it")
    }

    /// Multi-line server messages (plan errors) joined into one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
