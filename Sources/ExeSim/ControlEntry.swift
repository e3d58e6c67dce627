import Foundation
import ExeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `exe-sim control`: the control sshd's forced command (and, with
/// `--https`, what the daemon runs for `POST /exec`).
public enum ControlEntry {
    /// The text the real server prints to an unregistered key.
    public static let registrationMessage = "Please complete registration by running: ssh exe.dev"
    /// The text the real server prints for scp and sftp.
    public static let fileTransferMessage = "scp/sftp is not supported on the exe.dev server."

    /// Runs the command of an SSH session: checks the session's key, runs
    /// `SSH_ORIGINAL_COMMAND`, writes stdout (and, for scp/sftp, stderr)
    /// and returns the exit status.
    public static func runSSH(stateDirectory: String, environment: [String: String]) -> Int32 {
        let command = environment["SSH_ORIGINAL_COMMAND"] ?? ""
        if command == "/usr/lib/openssh/sftp-server" || command == "internal-sftp" || command.hasPrefix("scp ") {
            FileHandle.standardError.write(Data((fileTransferMessage + "\n").utf8))
            return 1
        }
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else {
            write("exe-sim: no simulator state in \(stateDirectory)\n")
            return 1
        }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        let fingerprint = sessionKeyFingerprint(environment["SSH_USER_AUTH"])
        let registered = ((try? store.snapshot().keys) ?? []).contains { $0.fingerprint == fingerprint && $0.tokenHash == nil }
        guard let fingerprint, registered else {
            write(registrationMessage + "\n")
            return 1
        }
        let request = ControlRequest(
            commandLine: command, transport: .ssh, callerFingerprint: fingerprint,
            readStandardInput: { limit in FileHandle.standardInput.readData(upToCount: limit) })
        return run(request, configuration: configuration, store: store)
    }

    /// Answers a new VM's SSH address as the lobby does before the VM's
    /// route is live: the command line runs as a lobby command.
    public static func runLobby(stateDirectory: String, commandLine: String) -> Int32 {
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else { return 1 }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        let request = ControlRequest(commandLine: commandLine, transport: .ssh, callerFingerprint: nil)
        return run(request, configuration: configuration, store: store)
    }

    /// Runs a command for the HTTPS API on behalf of the key `fingerprint`.
    public static func runHTTPS(stateDirectory: String, commandLine: String, fingerprint: String) -> Int32 {
        let paths = SimPaths(root: stateDirectory)
        guard let configuration = try? SimConfiguration.load(paths) else {
            write(JSONValue.object([("error", .string("internal error"))]).encoded() + "\n")
            return 1
        }
        let store = StateStore(paths: paths, defaultEmail: configuration.email)
        let request = ControlRequest(commandLine: commandLine, transport: .https, callerFingerprint: fingerprint)
        return run(request, configuration: configuration, store: store)
    }

    private static func run(_ request: ControlRequest, configuration: SimConfiguration, store: StateStore) -> Int32 {
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
