internal import CLibSSH2
import ExeSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Connecting, verifying the host and authenticating: the first work of a
/// ``SessionLoop`` thread, done before the loop starts, each step under its
/// own deadline.
extension SessionLoop {
    func establish() throws {
        let socket = try openSocket(deadline: .after(configuration.connectTimeout))
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(socket)
            throw SSHError(.protocol, "libssh2 could not create a session")
        }
        adopt(session: session, socket: socket)
        libssh2_session_set_blocking(session, 0)

        let verifier = HostKeyVerifier(
            policy: configuration.hostKeyPolicy,
            readFiles: configuration.knownHostsFiles.map(configuration.environment.expandingTilde),
            writeFile: configuration.knownHostsWriteFile.map(configuration.environment.expandingTilde),
            hostKeyAlias: configuration.hostKeyAlias,
            warn: configuration.warningHandler)
        preferKnownHostKeyTypes(verifier.knownKeyTypes(for: destination), session: session)

        let handshakeDeadline = Deadline.after(configuration.handshakeTimeout)
        while true {
            let rc = libssh2_session_handshake(session, libssh2_socket_t(socket))
            if rc == 0 { break }
            if rc == LIBSSH2_ERROR_EAGAIN {
                try waitForSocket(until: handshakeDeadline) {
                    "the SSH handshake with \(destination.host):\(destination.port) did not complete within \(configuration.handshakeTimeout.shortDescription) (the server accepted the TCP connection but did not speak SSH)"
                }
                continue
            }
            let message = LibSSH2.lastError(session).message
            if rc == LIBSSH2_ERROR_KEX_FAILURE || rc == LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE {
                throw SSHError(.protocol, "key exchange with \(destination.host):\(destination.port) failed: \(message) (libssh2 \(LibSSH2.version) supports curve25519/ecdh/dh-group14-18, ed25519/ecdsa host keys, aes-ctr and hmac-sha2)", libssh2Code: rc)
            }
            throw SSHError(.protocol, "the SSH handshake with \(destination.host):\(destination.port) failed: \(message.isEmpty ? "error \(rc)" : message) (is it an SSH server?)", libssh2Code: rc)
        }

        var length = 0
        var type: Int32 = 0
        guard let keyPointer = libssh2_session_hostkey(session, &length, &type) else {
            throw SSHError(.protocol, "\(destination.host) sent no host key")
        }
        let blob = Data(bytes: keyPointer, count: length)
        let key = HostKey(type: HostKey.typeName(inBlob: blob) ?? "unknown", blob: blob)
        try verifier.verify(key, for: destination)

        try authenticate(session: session, deadline: .after(configuration.authenticationTimeout))
    }

    /// Puts the host key types already on record first, so a host known by
    /// its ECDSA key is not asked for ed25519 and reported as unknown.
    private func preferKnownHostKeyTypes(_ known: [String], session: OpaquePointer) {
        // Without a recorded key, ask for ed25519 first, as OpenSSH does
        // (libssh2 1.10 would pick ECDSA).
        let supported = [
            "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
        ]
        let ordered = known.filter(supported.contains) + supported.filter { !known.contains($0) }
        _ = ordered.joined(separator: ",").withCString { libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, $0) }
    }

    // MARK: TCP

    private func openSocket(deadline: Deadline) throws -> Int32 {
        let addresses: [ResolvedSocketAddress]
        do {
            addresses = try HostNameResolver.resolve(host: destination.host, port: destination.port, deadline: deadline.instant)
        } catch {
            throw SSHError(error.kind == .timedOut ? .timeout : .nameResolution, error.message)
        }
        switch TCPConnect.socket(to: addresses, deadline: deadline.instant) {
        case .success(let fd):
            return fd
        case .failure(.timedOut):
            throw SSHError(
                .timeout,
                "could not connect to \(destination.host):\(destination.port) within \(configuration.connectTimeout.shortDescription) (the host is down, a firewall drops the packets, or it is rate-limiting new connections)")
        case .failure(let failure) where failure.isRefused:
            throw SSHError(.connectionRefused, "connection to \(destination.host):\(destination.port) refused (is an SSH server listening there?)")
        case .failure(.failed(let errnos)):
            let reasons = errnos.map { String(cString: strerror($0)) }.joined(separator: "; ")
            throw SSHError(.connectionRefused, "cannot connect to \(destination.host):\(destination.port): \(reasons)")
        }
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on.
    private func waitForSocket(until deadline: Deadline, timeoutMessage: () -> String) throws {
        guard let session else { return }
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & exe_block_inbound() != 0 { events |= Int16(POLLIN) }
        if directions & exe_block_outbound() != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var descriptor = pollfd(fd: socketDescriptor, events: events, revents: 0)
        while true {
            if deadline.hasPassed { throw SSHError(.timeout, timeoutMessage()) }
            let ready = Glibc.poll(&descriptor, 1, deadline.pollTimeout())
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                throw SSHError(.disconnected, "poll failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Repeats `call` while it returns EAGAIN, waiting on the socket.
    private func retrying(until deadline: Deadline, _ what: String, _ call: () -> Int32) throws -> Int32 {
        while true {
            let rc = call()
            guard rc == LIBSSH2_ERROR_EAGAIN else { return rc }
            try waitForSocket(until: deadline) { "authentication with \(destination) did not complete within \(configuration.authenticationTimeout.shortDescription) (\(what))" }
        }
    }

    // MARK: Authentication

    private func authenticate(session: OpaquePointer, deadline: Deadline) throws {
        let user = destination.user
        var methods = ""
        while true {
            if let list = libssh2_userauth_list(session, user, UInt32(user.utf8.count)) {
                methods = String(cString: list)
                break
            }
            if libssh2_userauth_authenticated(session) != 0 { return }
            let code = libssh2_session_last_errno(session)
            if code == LIBSSH2_ERROR_EAGAIN {
                try waitForSocket(until: deadline) { "authentication with \(destination) did not complete within \(configuration.authenticationTimeout.shortDescription)" }
                continue
            }
            throw SSHError(.authenticationFailed, "\(destination.host) did not list its authentication methods: \(LibSSH2.lastError(session).message)", libssh2Code: code)
        }
        var report = AuthenticationReport(offered: methods)
        guard methods.split(separator: ",").contains("publickey") else {
            throw SSHError(.authenticationFailed, report.message(for: destination))
        }
        if configuration.useAgent, let socket = configuration.environment.agentSocket {
            if try authenticateWithAgent(session: session, socket: socket, deadline: deadline, report: &report) { return }
        }
        for path in identityCandidates() {
            if try authenticateWithKeyFile(session: session, path: path, deadline: deadline, report: &report) { return }
        }
        throw SSHError(.authenticationFailed, report.message(for: destination))
    }

    private func identityCandidates() -> [String] {
        let environment = configuration.environment
        var paths = configuration.identityFiles.map(environment.expandingTilde)
        if configuration.useDefaultIdentities {
            for name in ["id_ed25519", "id_ecdsa"] {
                let path = environment.homeDirectory + "/.ssh/" + name
                if !paths.contains(path), FileManager.default.fileExists(atPath: path) { paths.append(path) }
            }
        }
        return paths
    }

    private func authenticateWithAgent(
        session: OpaquePointer, socket: String, deadline: Deadline, report: inout AuthenticationReport
    ) throws -> Bool {
        guard let agent = libssh2_agent_init(session) else { return false }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        socket.withCString { libssh2_agent_set_identity_path(agent, $0) }
        guard libssh2_agent_connect(agent) == 0 else {
            report.notes.append("ssh-agent at \(socket) is not reachable")
            return false
        }
        guard libssh2_agent_list_identities(agent) == 0 else {
            report.notes.append("ssh-agent at \(socket) did not list its keys")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
        var count = 0
        while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
            previous = current
            count += 1
            let blob = Data(bytes: current.pointee.blob, count: current.pointee.blob_len)
            let key = HostKey(type: HostKey.typeName(inBlob: blob) ?? "unknown", blob: blob)
            let comment = current.pointee.comment.map { String(cString: $0) } ?? ""
            let label = "agent key \(key.type) \(key.fingerprint)" + (comment.isEmpty ? "" : " (\(comment))")
            if key.type == "ssh-rsa" {
                report.skippedRSA.append(label)
                continue
            }
            let rc = try retrying(until: deadline, "agent key") { libssh2_agent_userauth(agent, destination.user, current) }
            if rc == 0 { return true }
            if LibSSH2.isConnectionFatal(rc) {
                throw SSHError(.disconnected, "the connection to \(destination) was lost during authentication: \(LibSSH2.lastError(session).message)", libssh2Code: rc)
            }
            report.tried.append("\(label): rejected")
        }
        if count == 0 { report.notes.append("ssh-agent has no keys") }
        return false
    }

    /// Whether the file at `path` holds an OpenSSH public key line
    /// (`ssh-ed25519 AAAA... comment`) rather than a private key.
    static func looksLikePublicKey(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let text = String(decoding: data.prefix(64), as: UTF8.self)
        return ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"].contains { text.hasPrefix($0) }
    }

    private func authenticateWithKeyFile(
        session: OpaquePointer, path: String, deadline: Deadline, report: inout AuthenticationReport
    ) throws -> Bool {
        let key: PrivateKeyFile
        do {
            guard let inspected = try PrivateKeyFile.inspect(path: path) else {
                report.tried.append("\(path): no such file")
                return false
            }
            key = inspected
            if key.format == .unknown, Self.looksLikePublicKey(path) {
                report.tried.append("\(path): this is a public key; pass the private key" + (path.hasSuffix(".pub") ? " (\(path.dropLast(4)))" : ""))
                return false
            }
        } catch let error as SSHError {
            report.tried.append(error.message)
            return false
        }
        var passphrase: Secret?
        if key.isEncrypted {
            guard let provider = configuration.passphraseProvider else {
                report.tried.append("\(path): the key needs a passphrase and there is no terminal to ask for it (add it to ssh-agent, or run on a terminal)")
                return false
            }
            passphrase = askPassphrase(provider, path: path, deadline: deadline)
            guard passphrase != nil else {
                report.tried.append("\(path): encrypted, no passphrase supplied")
                return false
            }
        }
        let secretText = passphrase?.reveal() ?? ""
        let user = destination.user
        let rc = try retrying(until: deadline, path) {
            libssh2_userauth_publickey_fromfile_ex(session, user, UInt32(user.utf8.count), nil, path, secretText)
        }
        if rc == 0 { return true }
        if LibSSH2.isConnectionFatal(rc) {
            throw SSHError(.disconnected, "the connection to \(destination) was lost during authentication: \(LibSSH2.lastError(session).message)", libssh2Code: rc)
        }
        switch rc {
        case LIBSSH2_ERROR_FILE:
            if key.isEncrypted {
                report.tried.append("\(path): wrong passphrase")
            } else {
                report.tried.append("\(path): unreadable or unsupported key format")
            }
        default:
            if key.isRSA {
                report.skippedRSA.append("\(path): rejected")
            } else {
                report.tried.append("\(path) (\(key.keyType ?? "unknown type")): rejected by the server")
            }
        }
        return false
    }

    /// Calls the caller's async provider from this dedicated thread, which
    /// may block (it is not part of the cooperative pool).
    private func askPassphrase(_ provider: @escaping PassphraseProvider, path: String, deadline: Deadline) -> Secret? {
        let box = PassphraseBox()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            box.value = await provider(path)
            semaphore.signal()
        }
        let remaining = deadline.instant - .now
        let nanoseconds = max(0, remaining.inNanoseconds)
        guard semaphore.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return nil }
        return box.value
    }
}

private final class PassphraseBox: @unchecked Sendable {
    var value: Secret?
}

/// What authentication tried, for an error message that says why it failed.
struct AuthenticationReport {
    var offered: String
    var tried: [String] = []
    var skippedRSA: [String] = []
    var notes: [String] = []

    func message(for destination: SSHDestination) -> String {
        var parts = ["authentication as \(destination.user) on \(destination.host):\(destination.port) failed; the server offers: \(offered.isEmpty ? "nothing" : offered)"]
        if tried.isEmpty && skippedRSA.isEmpty {
            parts.append("no identity was available (no ssh-agent keys, no key files; looked for ~/.ssh/id_ed25519 and ~/.ssh/id_ecdsa)")
        }
        if !tried.isEmpty { parts.append("tried: " + tried.joined(separator: "; ")) }
        if !skippedRSA.isEmpty {
            parts.append(
                "RSA keys not usable: " + skippedRSA.joined(separator: "; ")
                    + " (libssh2 1.10 can only sign with ssh-rsa/SHA-1, which OpenSSH 8.8 and later refuse; use an ed25519 key)")
        }
        if !notes.isEmpty { parts.append(notes.joined(separator: "; ")) }
        return parts.joined(separator: ". ")
    }
}
