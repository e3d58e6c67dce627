import ArgumentParser
import Foundation

/// The `exe-cli` root command.
@main
struct ExeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exe-cli",
        abstract: "Manage and deploy on exe.dev: VMs, deploys and test leases over one SSH connection.",
        discussion: """
            The control commands also work at the top level, as with `ssh exe.dev`: `exe-cli ls` is `exe-cli vm ls`, \
            `exe-cli new`, `exe-cli rm NAME`, ... the same for every `vm` subcommand.
            Everything before `--` is exe-cli's: `--help` prints help and acts on nothing, an unknown option is a usage error.

            Exit codes: \(CLIExitCode.summary).
            Shell completion: `exe-cli --generate-completion-script bash|zsh|fish` (see Docs/exe-cli.md).
            """,
        version: "0.1.0",
        subcommands: [VMCommand.self, DeployCommand.self, DoctorCommand.self, RegistryCommand.self, LeaseCommand.self, WhoamiCommand.self, SSHKeyCommand.self, TokenCommand.self, IntegrationsCommand.self, SetRegionCommand.self, DomainCommand.self, PoolCommand.self, InviteCommand.self, ConnectionsCommand.self]
    )

    /// Parses, runs, and exits with ``CLIExitCode`` values: usage errors exit
    /// 2 (not ArgumentParser's 64); a command's own exit passes through.
    static func main() async {
        do {
            var command = try parseAsRoot(TopLevelAlias.expand(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            terminate(0)
        } catch let exit as CLIExit {
            terminate(exit.status)
        } catch {
            let code = exitCode(for: error)
            let message = HelpLayout.reorder(fullMessage(for: error))
            if code == .success {
                if !message.isEmpty { Console.standard.print(message) }
                terminate(0)
            }
            // One prefix for every error: ArgumentParser's "Error: " becomes exe-cli's "error: ".
            if !message.isEmpty { Console.standard.printError(message.hasPrefix("Error: ") ? "error: " + message.dropFirst(7) : message) }
            terminate(code == .validationFailure ? CLIExitCode.usage.rawValue : code.rawValue)
        }
    }

    /// Ends the process without running `atexit` handlers. Commands close
    /// their connections and wait for them (`SSHConnection.close()`), but a
    /// connection dropped without closing is freed by its thread after the
    /// fact, and OpenSSL's exit-time cleanup racing that thread can crash.
    /// Everything this tool writes is unbuffered (see ``Console``); stdio is
    /// flushed for anything else.
    static func terminate(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }
}
