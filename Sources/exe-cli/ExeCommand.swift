import ArgumentParser
import Foundation

/// The `exe-cli` root command.
@main
struct ExeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exe-cli",
        abstract: "Manage and deploy on exe.dev: VMs, deploys and test leases over one SSH connection.",
        discussion: "Exit codes: 0 ok, 1 command failed, 2 usage, 3 not found, 4 authentication/host key, 5 transport, 8 deploy lock held, 9 release unhealthy. See Docs/exe-cli.md.",
        version: "0.1.0",
        subcommands: [VMCommand.self, DeployCommand.self, LeaseCommand.self, WhoamiCommand.self, SSHKeyCommand.self, TokenCommand.self, IntegrationsCommand.self, SetRegionCommand.self]
    )

    /// Parses, runs, and exits with ``CLIExitCode`` values: usage errors exit
    /// 2 (not ArgumentParser's 64); a command's own exit passes through.
    static func main() async {
        do {
            var command = try parseAsRoot()
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
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Console.standard.print(message) }
                terminate(0)
            }
            if !message.isEmpty { Console.standard.printError(message) }
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
