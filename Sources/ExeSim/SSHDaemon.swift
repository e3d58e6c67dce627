import Foundation
import ExeSystem

/// Starts OpenSSH `sshd` processes with generated configurations: the
/// control plane's and each VM's.
struct SSHDaemon {
    let runner: SyncProcessRunner

    /// Generates an unencrypted host key of `type` at `path` unless present.
    func ensureHostKey(type: String, path: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        try runner.check(ProcessInvocation("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "", "-f", path], timeout: .seconds(30)))
    }

    /// The configuration lines every simulator sshd shares.
    ///
    /// `environment` becomes the one `SetEnv` line (sshd honours only the
    /// first). It should set `HOME` to a directory without a `.bashrc`:
    /// sshd runs the forced command through the user's login shell, and
    /// bash sources `~/.bashrc` for every SSH command, so a slow one (this
    /// machine's runs `pyenv init`, 200 ms) would slow every command down.
    static func commonLines(port: Int, hostKeys: [String], pidFile: String, environment: [(String, String)]) -> [String] {
        let setEnv = environment.isEmpty ? [] : ["SetEnv " + environment.map { "\($0.0)=\($0.1)" }.joined(separator: " ")]
        return [
            "Port \(port)",
            "ListenAddress 127.0.0.1",
        ] + hostKeys.map { "HostKey \($0)" } + [
            "PidFile \(pidFile)",
            "StrictModes no",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "MaxSessions 10",
            "MaxStartups 100:30:200",
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "UseDNS no",
            "LogLevel ERROR",
        ] + algorithmLines + setEnv
    }

    /// The algorithms exe.dev's SSH front doors offer a client.
    ///
    /// The control plane is `golang.org/x/crypto/ssh` v0.49.0 with a
    /// default `ssh.ServerConfig` (`execore/exe.go` `setupSSHServer`), and a
    /// VM's SSH is reached through sshpiperd, whose downstream algorithms
    /// default to the same package's (`deps/sshpiper/cmd/sshpiperd/daemon.go`,
    /// `deps/sshpiper/crypto/ssh/common.go` `defaultKexAlgos`,
    /// `defaultCiphers`, `defaultMACs`). Those lists have no
    /// `sntrup761x25519-sha512`, which OpenSSH's sshd would otherwise
    /// offer first: an OpenSSH client then spends about 90 ms of CPU on
    /// each connection here that it never spends against exe.dev. The lists
    /// are Go's, less `mlkem768x25519-sha256`, which this OpenSSH (9.2)
    /// lacks.
    static let algorithmLines = [
        "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group14-sha256,diffie-hellman-group14-sha1",
        "Ciphers aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr",
        "MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1,hmac-sha1-96",
    ]

    /// Writes `lines` to `configPath` and starts `sshd -D` detached (new
    /// session) on `port`; tries other ports (rewriting `Port`) when the
    /// port is taken and `portChooser` is given. Returns the pid and port.
    ///
    /// With `network`, sshd runs inside that VM network namespace and
    /// `port` is a port there.
    func start(
        configPath: String, lines: [String], port: Int, logPath: String, pidPath: String,
        network: VMNetwork? = nil, portChooser: (() -> Int)? = nil
    ) throws -> (pid: Int32, port: Int) {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        var candidate = port
        var lastError = ""
        for _ in 0..<5 {
            let config = lines.map { $0.hasPrefix("Port ") ? "Port \(candidate)" : $0 }
            try AtomicFile.write(Data((config.joined(separator: "\n") + "\n").utf8), to: configPath, mode: 0o600)
            let command = (network?.enterCommand ?? []) + ["/usr/sbin/sshd", "-D", "-e", "-f", configPath]
            let child = try ChildProcess.spawn(
                command[0], Array(command.dropFirst()), stdin: .null,
                stdout: .appendToFile(logPath), stderr: .appendToFile(logPath), newSession: true)
            let listening = network.map { network in { network.isListening($0) } } ?? LoopbackSocket.isListening
            if LoopbackSocket.waitUntilListening(candidate, timeout: .seconds(5), isListening: listening), child.isRunning {
                try AtomicFile.write(Data("\(child.pid)\n".utf8), to: pidPath, mode: 0o644)
                return (child.pid, candidate)
            }
            lastError = (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: "; ") ?? ""
            child.terminate(grace: .seconds(1))
            guard let portChooser else { break }
            candidate = portChooser()
        }
        throw CommandFailure("sshd did not start on 127.0.0.1:\(candidate)\(network.map { " in \($0.name)" } ?? ""): \(lastError)")
    }

}
