public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Signs with an ssh-agent identity, speaking the agent protocol
/// (draft-miller-ssh-agent: `REQUEST_IDENTITIES`, `SIGN_REQUEST`) over its
/// Unix socket. The private key stays in the agent.
public struct SSHAgentSigner: SSHDataSigner {
    public let publicKeyBlob: Data
    /// The agent's socket path (`SSH_AUTH_SOCK`).
    public let socketPath: String
    public var signatureHashAlgorithm: String { "sha512" }

    /// How long one exchange with the agent may take.
    static let timeout: Int = 10

    /// An agent identity: `wantedKey` (a public key blob) if given and
    /// present, else the first ed25519 identity, else the first identity.
    ///
    /// - Throws: ``SSHError/Kind/authenticationFailed`` when the agent is
    ///   unreachable or holds no matching identity.
    public init(socketPath: String, wantedKey: Data? = nil) throws(SSHError) {
        self.socketPath = socketPath
        var request = SSHWireWriter()
        request.byte(11)  // SSH_AGENTC_REQUEST_IDENTITIES
        let answer = try Self.exchange(socketPath, request.data)
        var reader = SSHWireReader(answer)
        guard reader.byte() == 12, let count = reader.uint32() else {
            throw SSHError(.authenticationFailed, "the ssh-agent at \(socketPath) did not list its identities")
        }
        var blobs: [Data] = []
        for _ in 0..<min(count, 1024) {
            guard let blob = reader.bytes(), reader.bytes() != nil else { break }
            blobs.append(blob)
        }
        let chosen: Data?
        if let wantedKey {
            chosen = blobs.first { $0 == wantedKey }
        } else {
            chosen = blobs.first { HostKey.typeName(inBlob: $0) == "ssh-ed25519" } ?? blobs.first
        }
        guard let chosen else {
            throw SSHError(
                .authenticationFailed,
                wantedKey == nil ? "the ssh-agent holds no identities (ssh-add a key)" : "the ssh-agent does not hold that key (ssh-add it)")
        }
        publicKeyBlob = chosen
    }

    public func sign(_ data: Data) throws(SSHError) -> Data {
        var request = SSHWireWriter()
        request.byte(13)  // SSH_AGENTC_SIGN_REQUEST
        request.string(publicKeyBlob)
        request.string(data)
        // SSH_AGENT_RSA_SHA2_512 for RSA keys (SSHSIG uses rsa-sha2-512); ignored otherwise.
        request.uint32(keyType == "ssh-rsa" ? 4 : 0)
        let answer = try Self.exchange(socketPath, request.data)
        var reader = SSHWireReader(answer)
        guard reader.byte() == 14, let signature = reader.bytes() else {
            throw SSHError(.authenticationFailed, "the ssh-agent refused to sign (is the key confirmed or locked?)")
        }
        return signature
    }

    /// Sends one framed message and reads one framed answer.
    private static func exchange(_ socketPath: String, _ message: Data) throws(SSHError) -> Data {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SSHError(.authenticationFailed, "cannot create a socket for the ssh-agent") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SSHError(.invalidConfiguration, "the ssh-agent socket path is too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            throw SSHError(.authenticationFailed, "cannot reach the ssh-agent at \(socketPath): \(String(cString: strerror(errno)))")
        }
        var framed = SSHWireWriter()
        framed.string(message)
        guard writeAll(fd, framed.data) else { throw SSHError(.authenticationFailed, "lost the ssh-agent connection while writing") }
        guard let header = readExactly(fd, 4) else { throw SSHError(.authenticationFailed, "the ssh-agent closed the connection") }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 256 * 1024, let body = readExactly(fd, length) else {
            throw SSHError(.authenticationFailed, "the ssh-agent sent a malformed answer")
        }
        return body
    }

    private static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> Data? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer[offset...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { return nil }
            offset += got
        }
        return Data(buffer)
    }
}
