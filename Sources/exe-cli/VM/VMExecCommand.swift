import ArgumentParser
import ExeControl
import ExeSSH
import ExeSystem

/// `exe-cli vm exec NAME -- COMMAND...`.
struct VMExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command on a VM, streaming its output; exit with its exit status.",
        discussion: """
            Several words are run as an argument vector (each word quoted); a single word is passed to the \
            remote shell as it is, so `exe-cli vm exec my-vm -- 'cd /app && make'` works. stdin is forwarded \
            unless it is a terminal or -n is given. With --transport https the command runs through POST /exec \
            (`ssh NAME COMMAND`): stdout and stderr arrive merged on stdout, stdin is not forwarded. Put exe-cli's own \
            options before NAME.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: [.short, .customLong("no-stdin")], help: "Do not forward stdin (send EOF at once).") var noStdin = false
    @Option(help: "Stop the command after this many seconds.") var timeout: Int?
    @Argument(help: "The VM.") var name: String
    @Argument(parsing: .captureForPassthrough, help: "The command, after --.") var command: [String] = []

    /// The command words, without a leading `--`.
    var words: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func validate() throws {
        if words.isEmpty { throw ValidationError("give a command to run after --") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    /// The remote command line: one word as is, several quoted.
    static func commandLine(_ words: [String]) -> String {
        words.count == 1 ? words[0] : ShellQuote.command(words)
    }

    mutating func run() async throws {
        try await CommandSession.run(global) { session in try await execute(session) }
    }

    func execute(_ session: CommandSession) async throws {
        if session.settings.transport == .https {
            try await executeOverHTTPS(session)
            return
        }
        try await session.withVMConnection(named: name) { connection in try await execute(session, on: connection) }
    }

    /// `POST /exec` with `ssh NAME COMMAND`: output streamed (stdout and
    /// stderr arrive merged), the exit status from `X-Exe-Exit`. stdin is
    /// not forwarded (the HTTPS API has none).
    private func executeOverHTTPS(_ session: CommandSession) async throws {
        let vm = try VMName(name)
        let runner = HTTPSVMCommand(configuration: try session.settings.httpsConfiguration(environment: session.environment))
        var status: Int32?
        for try await event in runner.run(vm: vm, commandLine: Self.commandLine(words), timeout: timeout.map { .seconds($0) }) {
            switch event {
            case .output(let data): session.console.writeOutput(data)
            case .exit(let code): status = code
            }
        }
        if let status, status != 0 { throw CLIExit(status: status) }
    }

    private func execute(_ session: CommandSession, on connection: SSHConnection) async throws {
        let input: CommandInput = noStdin || StandardInput.isTerminal ? .none : .sequence(StandardInput.chunks())
        var status = RemoteExitStatus.closedWithoutStatus
        let events = connection.stream(Self.commandLine(words), stdin: input, timeout: timeout.map { .seconds($0) })
        for try await event in events {
            switch event {
            case .stdout(let data): session.console.writeOutput(data)
            case .stderr(let data): session.console.writeError(data)
            case .exit(let exit): status = exit
            }
        }
        if status != .exited(0) { throw CLIExit(status: status.shellStatus) }
    }
}
