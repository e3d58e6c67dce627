import ArgumentParser
import ExeLease
import ExeSSH
import ExeSystem

/// `exe-cli lease ssh`.
struct LeaseSSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Open a shell in the lease's work directory (or print the OpenSSH command with --print).")

    @OptionGroup(title: "Global options") var global: GlobalOptions
    @OptionGroup var lease: LeaseAccessOptions
    @Argument(help: "The lease: id, slug or VM name.") var id: String
    @Flag(help: "Print the equivalent OpenSSH command line instead of connecting.") var print = false
    @Flag(help: "Use a lease claimed by another repository.") var reclaim = false

    mutating func run() async throws {
        let key = id
        let printOnly = print
        let reclaim = self.reclaim
        try await LeaseSession.run(global, lease) { leases, session in
            let claim = try leases.claim(key, reclaim: reclaim)
            let destination = try leases.destination(of: claim)
            let remote = ShellCommand("mkdir", "-p", claim.remoteDirectory).and(ShellCommand("cd", claim.remoteDirectory))
                .then(ShellCommand.loginShell("-l").replacingShell()).commandLine
            if printOnly {
                let configuration = leases.context.vmConfiguration(destination)
                var words = ["ssh", "-t", "-p", String(destination.port)]
                for file in configuration.identityFiles { words += ["-i", file] }
                if let known = configuration.knownHostsFiles.first { words += ["-o", "UserKnownHostsFile=\(known)"] }
                words += ["\(destination.user)@\(destination.host)", remote]
                session.console.print(ShellCommand(words).commandLine)
                return
            }
            try await leases.touch(claim)
            let connection = try await leases.connect(claim)
            do {
                let status = try await TerminalSession.run(on: connection, command: remote, environment: session.environment)
                await connection.close()
                if status != .exited(0) { throw CLIExit(status: status.shellStatus) }
            } catch {
                await connection.close()
                throw error
            }
        }
    }
}
