#if canImport(Glibc)
    import Glibc
#endif

/// Opening a TCP connection to the first of a host's resolved addresses
/// that accepts one, under a deadline: the one connect loop under
/// ``TCPStream`` and ExeSSH's sessions, which each word the failure in
/// their own error type.
package enum TCPConnect {
    /// Why no address accepted.
    package enum Failure: Error, Sendable, Equatable {
        /// The deadline passed while an address was being tried; later
        /// addresses were not tried.
        case timedOut
        /// Every address refused or failed: the `errno` of each, in order
        /// (empty when no socket could be made).
        case failed(errnos: [Int32])

        /// Whether every address refused the connection (`ECONNREFUSED`):
        /// nothing listens there.
        package var isRefused: Bool {
            guard case .failed(let errnos) = self else { return false }
            return errnos.allSatisfy { $0 == ECONNREFUSED }
        }
    }

    /// A connected socket (non-blocking, close-on-exec, `TCP_NODELAY`) to
    /// the first of `addresses`, in order, that accepts.
    package static func socket(to addresses: [ResolvedSocketAddress], deadline: ContinuousClock.Instant) -> Result<Int32, Failure> {
        var errnos: [Int32] = []
        for address in addresses {
            let fd = Glibc.socket(address.family, address.socketType | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), address.protocolNumber)
            guard fd >= 0 else { continue }
            var failure: Int32 = 0
            if address.withSocketAddress({ Glibc.connect(fd, $0, $1) }) != 0 {
                failure = errno
                if failure == EINPROGRESS || failure == EINTR {
                    switch SocketWait.wait(fd, events: Int16(POLLOUT), deadline: deadline) {
                    case .ready:
                        var size = socklen_t(MemoryLayout<Int32>.size)
                        failure = 0
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size)
                    case .failed(let code):
                        failure = code
                    case .timedOut:
                        Glibc.close(fd)
                        return .failure(.timedOut)
                    }
                }
            }
            if failure == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return .success(fd)
            }
            errnos.append(failure)
            Glibc.close(fd)
        }
        return .failure(.failed(errnos: errnos))
    }
}
