import ExeSystem
import Foundation

/// A real OpenSSH `sshd` on 127.0.0.1 at a free port, with generated host
/// keys (ed25519 and ECDSA) and client keys, for integration tests.
/// ``stop()`` ends it by pid.
public final class LoopbackSSHServer: @unchecked Sendable {
    /// What to put in the generated `sshd_config`.
    public struct Options: Sendable {
        /// `MaxSessions`: channels per connection.
        public var maxSessions = 10
        /// More `sshd_config` lines.
        public var extraConfig: [String] = []
        /// Creates the defaults.
        public init(maxSessions: Int = 10, extraConfig: [String] = []) {
            self.maxSessions = maxSessions
            self.extraConfig = extraConfig
        }
    }

    /// Scratch space for keys, configuration and logs; doubles as the
    /// client's home directory so the user's real `~/.ssh` is never read.
    public let directory: TemporaryDirectory
    /// The listening port.
    public private(set) var port: Int
    /// The server's ed25519 host key.
    public let hostEd25519: SSHKeyPair
    /// The server's ECDSA host key.
    public let hostECDSA: SSHKeyPair
    /// An unencrypted ed25519 client key (authorized).
    public let clientKey: SSHKeyPair
    /// An ed25519 client key encrypted with ``passphrase`` (authorized).
    public let encryptedClientKey: SSHKeyPair
    /// An RSA client key (authorized, but unusable with libssh2 1.10).
    public let rsaClientKey: SSHKeyPair
    /// The passphrase of ``encryptedClientKey``.
    public let passphrase = "correct horse battery staple"
    /// A `known_hosts` file with both host keys under `[127.0.0.1]:port`.
    public let knownHostsPath: String
    /// The login user (the user running the tests).
    public let user: String
    private let options: Options
    private var process: ChildProcess?

    private init(directory: TemporaryDirectory, port: Int, hostEd25519: SSHKeyPair, hostECDSA: SSHKeyPair, clientKey: SSHKeyPair, encryptedClientKey: SSHKeyPair, rsaClientKey: SSHKeyPair, options: Options) {
        self.directory = directory
        self.port = port
        self.hostEd25519 = hostEd25519
        self.hostECDSA = hostECDSA
        self.clientKey = clientKey
        self.encryptedClientKey = encryptedClientKey
        self.rsaClientKey = rsaClientKey
        self.knownHostsPath = directory.file("known_hosts")
        self.user = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        self.options = options
    }

    /// Generates configuration, starts `sshd`, waits until it listens.
    /// Keys come from ``TestKeyring`` (generated once per test process).
    public static func start(_ options: Options = Options()) async throws -> LoopbackSSHServer {
        let keys = try await TestKeyring.shared()
        let directory = try TemporaryDirectory(prefix: "exe-sshd")
        try FileManager.default.createDirectory(atPath: directory.file(".ssh"), withIntermediateDirectories: true)
        let server = LoopbackSSHServer(
            directory: directory, port: 0, hostEd25519: keys.hostEd25519, hostECDSA: keys.hostECDSA,
            clientKey: keys.clientKey, encryptedClientKey: keys.encryptedClientKey, rsaClientKey: keys.rsaClientKey,
            options: options)
        let authorized = [server.clientKey, server.encryptedClientKey, server.rsaClientKey].map(\.publicKey).joined(separator: "\n") + "\n"
        try directory.write("authorized_keys", authorized, mode: 0o600)
        try server.startProcess()
        try server.writeKnownHosts()
        return server
    }

    private func writeKnownHosts() throws {
        let lines = [hostEd25519, hostECDSA].map { pair -> String in
            let fields = pair.publicKey.split(separator: " ")
            return "[127.0.0.1]:\(port) \(fields[0]) \(fields[1])"
        }
        try directory.write("known_hosts", lines.joined(separator: "\n") + "\n")
    }

    private func startProcess(port fixedPort: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        var lastLog = ""
        for _ in 0..<5 {
            let candidate = fixedPort ?? LoopbackPort.free()
            let config = [
                "Port \(candidate)",
                "ListenAddress 127.0.0.1",
                "HostKey \(hostEd25519.privatePath)",
                "HostKey \(hostECDSA.privatePath)",
                "PidFile \(directory.file("sshd.pid"))",
                "AuthorizedKeysFile \(directory.file("authorized_keys"))",
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp",
                "MaxSessions \(options.maxSessions)",
                "MaxStartups 100:30:200",
                "PrintMotd no",
                // The session's HOME is the test directory: the machine's own
                // ~/.bashrc (which bash sources for every SSH command) stays out.
                "SetEnv HOME=\(directory.path)",
                "LogLevel VERBOSE",
            ] + options.extraConfig
            try directory.write("sshd_config", config.joined(separator: "\n") + "\n")
            let child = try ChildProcess.spawn(
                "/usr/sbin/sshd", ["-D", "-e", "-f", directory.file("sshd_config")],
                stdout: .appendToFile(directory.file("sshd.log")), stderr: .appendToFile(directory.file("sshd.log")))
            do {
                try LoopbackPort.waitUntilListening(candidate, timeout: .seconds(30))
                if child.isRunning {
                    process = child
                    port = candidate
                    return
                }
            } catch {}
            lastLog = log
            child.terminate()
        }
        throw NSError(domain: "LoopbackSSHServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "sshd did not start: \(lastLog)"])
    }

    /// The destination of this server.
    public var destination: SSHTestDestination { SSHTestDestination(host: "127.0.0.1", port: port, user: user) }

    /// The pid of the listening sshd.
    public var pid: Int32? { process?.pid }

    /// The pids of the per-connection sshd processes.
    public var sessionPIDs: [Int32] { process.map { ChildProcess.children(of: $0.pid) } ?? [] }

    /// Every process descended from the listening sshd (per-connection
    /// sshd processes, the shells and commands they run), parents first.
    /// The listener itself is not included.
    public var descendantPIDs: [Int32] {
        guard let process else { return [] }
        var found: [Int32] = []
        var queue = ChildProcess.children(of: process.pid)
        while !queue.isEmpty {
            let pid = queue.removeFirst()
            guard !found.contains(pid) else { continue }
            found.append(pid)
            queue += ChildProcess.children(of: pid)
        }
        return found
    }

    /// The pids of descendants whose command name (`/proc/<pid>/comm`) is `name`.
    public func descendantPIDs(named name: String) -> [Int32] {
        descendantPIDs.filter {
            (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
    }

    /// The server's log so far.
    public var log: String { (try? String(contentsOfFile: directory.file("sshd.log"), encoding: .utf8)) ?? "" }

    /// Stops sshd (by pid) and every process descended from it: the
    /// per-connection sshd processes and the commands they started (so a
    /// `sleep 30` does not outlive the test). Descendants are stopped first
    /// (SIGSTOP, until no new one appears), so none can fork away, then killed.
    public func stop() {
        guard let process else { return }
        var tree: [Int32] = []
        for _ in 0..<5 {
            let current = descendantPIDs
            let new = current.filter { !tree.contains($0) }
            if new.isEmpty { break }
            for pid in new { kill(pid, SIGSTOP) }
            tree += new
        }
        process.terminate()
        for pid in tree {
            kill(pid, SIGKILL)
            kill(pid, SIGCONT)
        }
        self.process = nil
    }

    /// Stops sshd and starts it again on the same port.
    public func restart() throws {
        stop()
        try startProcess(port: port)
    }

    /// Stops the server and deletes its directory.
    public func cleanUp() {
        stop()
        directory.remove()
    }
}

/// Host, port and user of a test server, without depending on ExeSSH.
public struct SSHTestDestination: Sendable {
    public let host: String
    public let port: Int
    public let user: String
}
