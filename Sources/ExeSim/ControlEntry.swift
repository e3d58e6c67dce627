import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim control`: the control sshd's forced command (and, with
/// `--https`, what the daemon runs for `POST /exec`).
package enum ControlEntry {
    /// The text the real server prints to an unregistered key.
    package static let registrationMessage = "Please complete registration by running: ssh exe.dev"
    /// The text the real server prints for scp and sftp.
    package static let fileTransferMessage = "scp/sftp is not supported on the exe.dev server."

    /// How an SSH session's forced command ends.
    package enum SSHEnding: Equatable, Sendable {
        /// Exit with this status: sshd sends it as `exit-status`.
        case exitStatus(Int32)
        /// The command failed: the real server closes the channel without an
        /// `exit-status` message (see ``endWithoutExitStatus()``).
        case noExitStatus
    }

    /// Runs the command of an SSH session: checks the session's key, runs
    /// `SSH_ORIGINAL_COMMAND`, writes stdout (and, for scp/sftp, stderr)
    /// and says how the session ends.
    ///
    /// `handleExec` in `execore/ssh_server.go` sends `exit-status 1` for an
    /// unregistered key (`s.Exit(1)`), but for a command that fails (rc > 0)
    /// it calls `s.Close()` before `s.Exit(rc)`: the channel closes first and
    /// the status is never sent. OpenSSH's `ssh` then exits 255; libssh2 1.10
    /// reads 0.
    package static func runSSH(stateDirectory: String, environment: [String: String]) -> SSHEnding {
        let status = runSSHCommand(stateDirectory: stateDirectory, environment: environment)
        switch status {
        case .failed: return .noExitStatus
        case .exited(let code): return .exitStatus(code)
        }
    }

    /// Ends the forced command so that the control sshd closes the channel
    /// with no `exit-status` message. OpenSSH's sshd always sends one for a
    /// command that exits, and it cannot close a session channel while the
    /// command lives (its 9.2 `ChannelTimeout` closes idle channels at once
    /// and drops the output), so the command kills itself: sshd then sends
    /// `exit-signal` (which `ssh` ignores: it exits 255 as against exe.dev)
    /// after the output already written to its pipe. The forced command is
    /// `exec`ed, so this process is sshd's child.
    package static func endWithoutExitStatus() -> Never {
        kill(getpid(), SIGKILL)
        while true { pause() }
    }

    private enum CommandEnding {
        case exited(Int32)
        case failed
    }

    private static func runSSHCommand(stateDirectory: String, environment: [String: String]) -> CommandEnding {
        let command = environment["SSH_ORIGINAL_COMMAND"] ?? ""
        if command == "/usr/lib/openssh/sftp-server" || command == "internal-sftp" || command.hasPrefix("scp ") {
            FileHandle.standardError.write(Data((fileTransferMessage + "\n").utf8))
            return .exited(1)
        }
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else {
            write("exe-sim: no simulator state in \(stateDirectory)\n")
            return .exited(1)
        }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        let fingerprint = sessionKeyFingerprint(environment["SSH_USER_AUTH"])
        let registered = ((try? store.snapshot().keys) ?? []).contains { $0.fingerprint == fingerprint && $0.tokenHash == nil }
        guard let fingerprint, registered else {
            write(registrationMessage + "\n")
            return .exited(1)
        }
        let request = ReceivedCommand(
            commandLine: command, transport: .ssh, callerFingerprint: fingerprint,
            readStandardInput: { limit in FileHandle.standardInput.readData(upToCount: limit) },
            hasTerminal: environment["SSH_TTY"] != nil)
        let status = run(request, configuration: configuration, store: store)
        return status > 0 ? .failed : .exited(status)
    }

    /// Answers a new VM's SSH address as the lobby does before the VM's
    /// route is live: the command line runs as a lobby command.
    package static func runLobby(stateDirectory: String, commandLine: String) -> Int32 {
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else { return 1 }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        let request = ReceivedCommand(commandLine: commandLine, transport: .ssh, callerFingerprint: nil)
        return run(request, configuration: configuration, store: store)
    }

    /// Runs a command for the HTTPS API on behalf of the key `fingerprint`.
    package static func runHTTPS(stateDirectory: String, commandLine: String, fingerprint: String) -> Int32 {
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else {
            write(JSONValue.object([("error", .string("internal error"))]).encoded() + "\n")
            return 1
        }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        let request = ReceivedCommand(commandLine: commandLine, transport: .https, callerFingerprint: fingerprint)
        return run(request, configuration: configuration, store: store)
    }

    private static func run(_ request: ReceivedCommand, configuration: SimConfiguration, store: StateStore) -> Int32 {
        let caller = (try? store.snapshot())?.keys.first { $0.fingerprint == request.callerFingerprint }
        let environment = ControlEnvironment(
            configuration: configuration, store: store.scoped(TagScope(key: caller)), lifecycle: MachineVMLifecycle(configuration: configuration))
        let response = ControlSession(environment: environment, request: request).run()
        write(response.output)
        return response.exitStatus
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The fingerprint of the public key sshd accepted, from the file
    /// `ExposeAuthInfo` names in `SSH_USER_AUTH` (`publickey TYPE BASE64`).
    static func sessionKeyFingerprint(_ file: String?) -> String? {
        guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("publickey ") {
            if let key = try? SSHPublicKey(line: String(line.dropFirst("publickey ".count))) { return key.fingerprint }
        }
        return nil
    }
}

extension FileHandle {
    /// Reads until EOF or `limit` bytes, giving up (with what arrived) when
    /// no byte comes for `idle`: a client that never closes stdin cannot
    /// hold the command forever.
    func readData(upToCount limit: Int, idle: Duration = .seconds(60)) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let idleMilliseconds = Int32(idle.components.seconds * 1000)
        while data.count < limit {
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, idleMilliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = Glibc.read(fileDescriptor, &buffer, min(buffer.count, limit - data.count))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }
}
