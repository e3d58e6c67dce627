internal import CLibSSL

#if canImport(Glibc)
    import Glibc
#endif

/// A TLS client connection on OpenSSL: TLS 1.2 or newer, the server's
/// certificate chain verified against a ``TLSTrust``, and its name checked
/// against the host the caller meant (`X509_VERIFY_PARAM_set1_host`, or
/// `set1_ip_asc` for an IP address), with SNI for host names.
///
/// A certificate that is not trusted or does not name the host fails the
/// handshake with ``NetworkError/Kind/certificateRejected``; nothing is
/// sent before the handshake succeeds.
public final class TLSStream: ByteStream {
    /// The name the certificate was checked against.
    public let serverName: String
    private let address: NetworkAddress
    private var fd: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?

    private init(fd: Int32, address: NetworkAddress, serverName: String, context: OpaquePointer, ssl: OpaquePointer) {
        self.fd = fd
        self.address = address
        self.serverName = serverName
        self.context = context
        self.ssl = ssl
    }

    deinit { close() }

    /// Runs the TLS handshake over `tcp` (which the stream owns from then
    /// on), verifying the server as `serverName` against `trust`.
    ///
    /// - Throws: ``NetworkError/Kind/certificateRejected`` (untrusted chain,
    ///   wrong name, expired), ``NetworkError/Kind/tlsFailed`` (no common
    ///   protocol, an unreadable CA file), ``NetworkError/Kind/timedOut``.
    public static func handshake(
        over tcp: TCPStream, serverName: String, trust: TLSTrust, deadline: ContinuousClock.Instant
    ) throws(NetworkError) -> TLSStream {
        let address = tcp.address
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw failure(.tlsFailed, "cannot create a TLS context") }
        _ = exe_ssl_ctx_require_tls12(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        switch trust {
        case .systemStore:
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                SSL_CTX_free(context)
                throw failure(.tlsFailed, "cannot load the system's certificate store")
            }
        case .certificateFile(let path):
            guard SSL_CTX_load_verify_file(context, path) == 1 else {
                SSL_CTX_free(context)
                throw failure(.tlsFailed, "cannot read CA certificates from \(path)")
            }
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw failure(.tlsFailed, "cannot create a TLS connection")
        }
        let fd = tcp.release()
        let stream = TLSStream(fd: fd, address: address, serverName: serverName, context: context, ssl: ssl)
        SSL_set_fd(ssl, fd)
        let parameters = SSL_get0_param(ssl)
        if isIPAddress(serverName) {
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, serverName) == 1 else {
                throw failure(.invalidRequest, "invalid IP address \(serverName)")
            }
        } else {
            X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard X509_VERIFY_PARAM_set1_host(parameters, serverName, 0) == 1, exe_ssl_set_server_name(ssl, serverName) == 1 else {
                throw failure(.invalidRequest, "invalid TLS server name \(serverName)")
            }
        }
        while true {
            let result = try SocketWait.withoutSIGPIPE { () throws(NetworkError) -> Int32 in SSL_connect(ssl) }
            if result == 1 { return stream }
            let code = SSL_get_error(ssl, result)
            switch code {
            case SSL_ERROR_WANT_READ:
                try SocketWait.until(fd, events: Int16(POLLIN), deadline: deadline, what: "in the TLS handshake with \(address)")
            case SSL_ERROR_WANT_WRITE:
                try SocketWait.until(fd, events: Int16(POLLOUT), deadline: deadline, what: "in the TLS handshake with \(address)")
            default:
                let verify = SSL_get_verify_result(ssl)
                if verify != X509_V_OK {
                    let reason = String(cString: X509_verify_cert_error_string(verify))
                    if verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH {
                        throw NetworkError(
                            .certificateRejected, "the TLS certificate of \(address) does not name \(serverName) (\(reason))")
                    }
                    throw NetworkError(
                        .certificateRejected,
                        "the TLS certificate of \(serverName) (\(address)) is not trusted: \(reason) (give its CA with --cacert or EXE_CA_FILE)")
                }
                if code == SSL_ERROR_SYSCALL, ERR_peek_error() == 0 {
                    throw NetworkError(.connectionClosed, "\(address) closed the connection during the TLS handshake")
                }
                throw failure(.tlsFailed, "the TLS handshake with \(serverName) (\(address)) failed")
            }
        }
    }

    /// The socket under the TLS connection (-1 once closed).
    public var descriptor: Int32 { fd }

    /// Whether a decrypted record waits to be read (`SSL_pending`).
    public var hasBufferedInput: Bool { ssl.map { SSL_pending($0) > 0 } ?? false }

    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(NetworkError) {
        guard let ssl else { throw NetworkError(.connectionClosed, "the TLS connection to \(address) is closed") }
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            // The same buffer and length on a retry, as OpenSSL requires.
            let chunk = Array(bytes[offset..<min(bytes.count, offset + 16384)])
            while true {
                let written = try SocketWait.withoutSIGPIPE { () throws(NetworkError) -> Int32 in
                    chunk.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
                }
                if written > 0 {
                    offset += Int(written)
                    break
                }
                switch SSL_get_error(ssl, written) {
                case SSL_ERROR_WANT_WRITE:
                    try SocketWait.until(fd, events: Int16(POLLOUT), deadline: deadline, what: "writing to \(address)")
                case SSL_ERROR_WANT_READ:
                    try SocketWait.until(fd, events: Int16(POLLIN), deadline: deadline, what: "writing to \(address)")
                case SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN:
                    throw NetworkError(.connectionClosed, "\(address) closed the TLS connection while it was sent to")
                default:
                    throw Self.failure(.tlsFailed, "a TLS write to \(address) failed")
                }
            }
        }
    }

    public func read(maximum: Int, deadline: ContinuousClock.Instant) throws(NetworkError) -> [UInt8] {
        guard let ssl else { return [] }
        var buffer = [UInt8](repeating: 0, count: max(1, maximum))
        while true {
            ERR_clear_error()
            // A read may write too (a TLS 1.3 KeyUpdate answer).
            let got = try SocketWait.withoutSIGPIPE { () throws(NetworkError) -> Int32 in
                buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            }
            if got > 0 { return Array(buffer[0..<Int(got)]) }
            switch SSL_get_error(ssl, got) {
            case SSL_ERROR_WANT_READ:
                try SocketWait.until(fd, events: Int16(POLLIN), deadline: deadline, what: "waiting for \(address)")
            case SSL_ERROR_WANT_WRITE:
                try SocketWait.until(fd, events: Int16(POLLOUT), deadline: deadline, what: "waiting for \(address)")
            case SSL_ERROR_ZERO_RETURN:
                return []
            case SSL_ERROR_SYSCALL:
                // The peer closed without close_notify: the end of the stream
                // as far as TLS can tell; HTTP's framing catches a cut body.
                return []
            default:
                throw Self.failure(.tlsFailed, "a TLS read from \(address) failed")
            }
        }
    }

    public func close() {
        if let ssl {
            _ = try? SocketWait.withoutSIGPIPE { () throws(NetworkError) -> Int32 in SSL_shutdown(ssl) }
            SSL_free(ssl)
            self.ssl = nil
        }
        if let context {
            SSL_CTX_free(context)
            self.context = nil
        }
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    public func interrupt() {
        let socket = fd
        if socket >= 0 { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    /// `message` with OpenSSL's first queued reason, and the queue cleared.
    private static func failure(_ kind: NetworkError.Kind, _ message: String) -> NetworkError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return NetworkError(kind, message) }
        var text = [UInt8](repeating: 0, count: 256)
        text.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }, $0.count) }
        return NetworkError(kind, message + ": " + String(decoding: text.prefix { $0 != 0 }, as: UTF8.self))
    }

    /// Whether `name` is an IPv4 or IPv6 literal.
    static func isIPAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}
