import Foundation

#if canImport(Glibc)
    import Glibc
#endif
import ExeSystem

/// `exe-sim up --tls`: a private CA and a server certificate made with the
/// `openssl` CLI, and `stunnel4` terminating TLS on a port of its own in
/// front of the daemon's port, so `/exec` and every VM URL are also served
/// as exe.dev serves them: `https://` (`docs/content/https-api.md`:
/// `https://exe.dev/exec`; `docs/content/proxy.md`: `https://<vm>.exe.xyz/`).
///
/// The certificate names `127.0.0.1`, `::1`, `localhost`, `exe-sim.localhost`
/// and `*.exe-sim.localhost` (the simulator's VM host names, ``VMHost``).
/// Keys are mode 0600; the CA key never leaves the state directory.
struct TLSTerminator {
    let paths: SimPaths
    let runner: SyncProcessRunner

    var directory: String { paths.tlsDirectory }
    var caKey: String { directory + "/ca.key" }
    var serverKey: String { directory + "/server.key" }
    var serverCertificate: String { directory + "/server.crt" }
    var configPath: String { directory + "/stunnel.conf" }
    var pidFile: String { directory + "/stunnel.pid" }
    var log: String { directory + "/stunnel.log" }

    /// The names the server certificate carries.
    static let subjectAltNames = "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:\(VMHost.domain),DNS:*.\(VMHost.domain)"

    /// Makes the CA and the server certificate unless they exist.
    func ensureCertificates() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if FileManager.default.fileExists(atPath: paths.tlsCACertificate), FileManager.default.fileExists(atPath: serverCertificate),
            FileManager.default.fileExists(atPath: serverKey)
        {
            return
        }
        let request = directory + "/server.csr"
        let extensions = directory + "/server.ext"
        try AtomicFile.write(
            Data("""
                basicConstraints=critical,CA:FALSE
                keyUsage=critical,digitalSignature
                extendedKeyUsage=serverAuth
                subjectAltName=\(Self.subjectAltNames)

                """.utf8), to: extensions, mode: 0o600)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(
            ["req", "-x509"] + curve + [
                "-keyout", caKey, "-out", paths.tlsCACertificate, "-days", "3650", "-subj", "/CN=exe-sim local CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        try openssl(["req"] + curve + ["-keyout", serverKey, "-out", request, "-subj", "/CN=exe-sim.localhost"])
        try openssl([
            "x509", "-req", "-in", request, "-CA", paths.tlsCACertificate, "-CAkey", caKey, "-CAcreateserial",
            "-out", serverCertificate, "-days", "825", "-extfile", extensions,
        ])
        chmod(caKey, 0o600)
        chmod(serverKey, 0o600)
        unlink(request)
    }

    private func openssl(_ arguments: [String]) throws {
        _ = try runner.check(ProcessInvocation("openssl", arguments, environment: ["OPENSSL_CONF": "/dev/null"], timeout: .seconds(60)))
    }

    /// Whether stunnel runs (its pid alive and its port listening).
    func isRunning(port: Int?) -> Bool {
        guard let port, let pid = ProcessTree.readPID(pidFile), ProcessTree.isAlive(pid) else { return false }
        return LoopbackSocket.isListening(port)
    }

    /// Starts stunnel in front of `configuration.apiPort` unless it runs,
    /// recording its port in `configuration.tlsPort`.
    func start(_ configuration: inout SimConfiguration) throws {
        if isRunning(port: configuration.tlsPort) { return }
        if let pid = ProcessTree.readPID(pidFile) { ProcessTree.terminate(pid) }
        try ensureCertificates()
        var lastError = ""
        for attempt in 0..<5 {
            let port = attempt == 0 && (configuration.tlsPort ?? 0) > 0 ? configuration.tlsPort! : LoopbackSocket.freePort()
            let config = """
                foreground = yes
                syslog = no
                output = \(log)

                [exe-sim]
                accept = 127.0.0.1:\(port)
                connect = 127.0.0.1:\(configuration.apiPort)
                cert = \(serverCertificate)
                key = \(serverKey)
                sslVersionMin = TLSv1.2

                """
            try AtomicFile.write(Data(config.utf8), to: configPath, mode: 0o600)
            let child = try ChildProcess.spawn(
                "stunnel4", [configPath], stdin: .null, stdout: .appendToFile(log), stderr: .appendToFile(log), newSession: true)
            if LoopbackSocket.waitUntilListening(port, timeout: .seconds(10)), child.isRunning {
                try AtomicFile.write(Data("\(child.pid)\n".utf8), to: pidFile)
                configuration.tlsPort = port
                return
            }
            child.terminate(grace: .seconds(1))
            lastError = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: "; ")
        }
        throw CommandFailure("stunnel4 (the TLS terminator) did not start: \(lastError)")
    }
}
