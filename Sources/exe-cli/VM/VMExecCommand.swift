import ArgumentParser
import Dispatch
import ExeControl
import ExeSSH
import ExeSystem
import Foundation
import Synchronization

/// `exe-cli vm exec NAME -- COMMAND...`.
struct VMExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command on a VM, streaming its output; exit with its exit status.",
        discussion: """
            Everything before -- is exe-cli's (options may come before or after NAME); the command follows --. \
            Several words are run as an argument vector (each word quoted); a single word is passed to the \
            remote shell as it is, so `exe-cli vm exec my-vm -- 'cd /app && make'` works. stdin is forwarded \
            unless it is a terminal or -n is given. On --timeout or Ctrl-C the remote command's process group \
            gets SIGINT, then SIGKILL two seconds later; exe-cli exits 5 (timeout) or 130 (Ctrl-C). \
            With --transport https the command runs through POST /exec (`ssh NAME COMMAND`): stdout and stderr \
            arrive merged on stdout, stdin is not forwarded.
            """)

    @OptionGroup(title: "Global options") var connection: ConnectionOptions
    @Flag(name: [.short, .customLong("no-stdin")], help: "Do not forward stdin (send EOF at once).") var noStdin = false
    @Option(help: "Stop the command after this many seconds.") var timeout: Int?
    @Argument(help: "The VM.") var name: String
    @Argument(parsing: .postTerminator, help: "The command, after --.") var command: [String] = []

    /// The command words.
    var words: [String] { command }

    /// How long a stopped command gets between SIGINT and SIGKILL.
    static let interruptGraceSeconds = 2

    func validate() throws {
        if words.isEmpty { throw ValidationError("give a command to run after --") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    /// The remote command line: one word as is, several quoted.
    static func commandLine(_ words: [String]) -> String {
        words.count == 1 ? words[0] : ShellCommand(words).commandLine
    }

    mutating func run() async throws {
        try await CommandSession.run(connection, json: false) { session in try await execute(session) }
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
        var answered = false
        do {
            for try await event in runner.run(vm: vm, commandLine: Self.commandLine(words), timeout: timeout.map { .seconds($0) }) {
                answered = true
                switch event {
                case .output(let data): session.console.writeOutput(data)
                case .exit(let code): status = code
                }
            }
        } catch let error as ControlError where error.kind == .timeout && !answered {
            // A paused VM answers nothing, over SSH or HTTPS: name the pause
            // rather than leave a bare timeout.
            if let found = try? await session.client.vm(named: vm.rawValue), found.status == .paused {
                throw ControlError(.conflict, "VM \"\(vm.rawValue)\" is paused; resume it first: exe-cli vm resume \(vm.rawValue)")
            }
            throw error
        }
        if let status, status != 0 { throw CLIExit(status: status) }
    }

    private func execute(_ session: CommandSession, on connection: SSHConnection) async throws {
        let input: CommandInput = noStdin || StandardInput.isTerminal ? .none : .sequence(StandardInput.chunks())
        let group = RemoteProcessGroup(commandLine: Self.commandLine(words))
        let stop = { @Sendable in
            _ = try? await connection.run(group.interruptScript(graceSeconds: Self.interruptGraceSeconds), timeout: .seconds(20))
        }
        let interrupted = Atomic<Bool>(false)
        let stopping = Mutex<Task<Void, Never>?>(nil)
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler {
            guard !interrupted.exchange(true, ordering: .relaxed) else { return }
            FileDescriptorWriter.write(Data("\ninterrupted: stopping the remote command\n".utf8), to: 2)
            stopping.withLock { $0 = Task { await stop() } }
        }
        interrupts.resume()
        defer {
            interrupts.cancel()
            signal(SIGINT, SIG_DFL)
        }
        var status = RemoteExitStatus.closedWithoutStatus
        let events = connection.stream(group.wrapped, stdin: input, timeout: timeout.map { .seconds($0) })
        do {
            for try await event in events {
                switch event {
                case .stdout(let data): session.console.writeOutput(data)
                case .stderr(let data): session.console.writeError(data)
                case .exit(let exit): status = exit
                }
            }
        } catch let error as SSHError where error.kind == .timeout && !interrupted.load(ordering: .relaxed) {
            await stop()
            throw SSHError(.timeout, "the command ran past --timeout \(timeout ?? 0) s; its process group was stopped")
        } catch {
            if let task = stopping.withLock({ $0 }) { await task.value }
            if interrupted.load(ordering: .relaxed) { throw CLIExit(.interrupted) }
            throw error
        }
        if let task = stopping.withLock({ $0 }) { await task.value }
        if interrupted.load(ordering: .relaxed) { throw CLIExit(.interrupted) }
        if status != .exited(0) { throw CLIExit(status: status.shellStatus) }
    }
}
