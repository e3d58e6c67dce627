#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection (non-blocking underneath; every call waits with
/// a deadline).
public final class TCPStream: ByteStream {
    /// The socket; ``TLSStream`` runs over it.
    public private(set) var descriptor: Int32
    /// Where it is connected.
    public let address: NetworkAddress
    /// Always `false`: nothing is buffered above the socket.
    public var hasBufferedInput: Bool { false }

    private init(descriptor: Int32, address: NetworkAddress) {
        self.descriptor = descriptor
        self.address = address
    }

    deinit { close() }

    /// Wraps a connected stream socket (made non-blocking), which the
    /// stream closes from then on: for the fuzz targets' socket pairs.
    package static func adopting(_ descriptor: Int32, address: NetworkAddress) -> TCPStream {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        return TCPStream(descriptor: descriptor, address: address)
    }

    /// Connects to `address`, trying each address the host resolves to
    /// until one accepts or `deadline` passes.
    ///
    /// - Throws: ``NetworkError/Kind/connectFailed`` (the last address's
    ///   reason) or ``NetworkError/Kind/timedOut``.
    public static func connect(to address: NetworkAddress, deadline: ContinuousClock.Instant) throws(NetworkError) -> TCPStream {
        let addresses = try HostNameResolver.resolve(host: address.host, port: address.port, deadline: deadline)
        switch TCPConnect.socket(to: addresses, deadline: deadline) {
        case .success(let fd):
            return TCPStream(descriptor: fd, address: address)
        case .failure(.timedOut):
            throw NetworkError(.timedOut, "timed out connecting to \(address)")
        case .failure(.failed(let errnos)):
            guard let last = errnos.last else { throw NetworkError(.connectFailed, "\(address) has no address to connect to") }
            throw NetworkError(.connectFailed, "cannot connect to \(address): \(String(cString: strerror(last)))")
        }
    }

    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(NetworkError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0, errno == EINTR { continue }
            if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                try SocketWait.until(descriptor, events: Int16(POLLOUT), deadline: deadline, what: "writing to \(address)")
                continue
            }
            throw NetworkError(.connectionClosed, "\(address) closed the connection while it was sent to: \(String(cString: strerror(errno)))")
        }
    }

    public func read(maximum: Int, deadline: ContinuousClock.Instant) throws(NetworkError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(1, maximum))
        while true {
            let got = recv(descriptor, &buffer, buffer.count, 0)
            if got >= 0 { return Array(buffer[0..<got]) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try SocketWait.until(descriptor, events: Int16(POLLIN), deadline: deadline, what: "waiting for \(address)")
                continue
            }
            throw NetworkError(.connectionClosed, "\(address) reset the connection: \(String(cString: strerror(errno)))")
        }
    }

    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    public func interrupt() {
        let fd = descriptor
        if fd >= 0 { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Hands the socket to a ``TLSStream``, which closes it from then on.
    func release() -> Int32 {
        let fd = descriptor
        descriptor = -1
        return fd
    }
}
