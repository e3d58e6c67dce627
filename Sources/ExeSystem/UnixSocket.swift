import CExeSystem
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Blocking `AF_UNIX` stream sockets: listen, accept, connect, whole reads
/// and writes, and the peer's uid. Every descriptor is close-on-exec.
public enum UnixSocket {
    /// Why a socket call failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The call that failed and `strerror`.
        public let description: String
        /// The `errno` value.
        public let code: Int32
        init(_ call: String, _ code: Int32 = errno) {
            self.code = code
            description = "\(call): \(String(cString: strerror(code)))"
        }
    }

    /// Binds a listening socket at `path` (which must not exist) with mode 0600.
    public static func listen(at path: String, backlog: Int32 = 64) throws(Failure) -> Int32 {
        let fd = try socketDescriptor()
        var address = try address(for: path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let failure = Failure("bind \(path)")
            close(fd)
            throw failure
        }
        chmod(path, 0o600)
        guard Glibc.listen(fd, backlog) == 0 else {
            let failure = Failure("listen")
            close(fd)
            throw failure
        }
        return fd
    }

    /// Connects to the socket at `path`.
    public static func connect(to path: String) throws(Failure) -> Int32 {
        let fd = try socketDescriptor()
        var address = try address(for: path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let failure = Failure("connect \(path)")
            close(fd)
            throw failure
        }
        return fd
    }

    /// Accepts the next connection; retries on `EINTR`.
    public static func accept(_ listener: Int32) throws(Failure) -> Int32 {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                return fd
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            throw Failure("accept")
        }
    }

    /// The uid of the process at the other end of `fd` (`SO_PEERCRED`).
    public static func peerUID(_ fd: Int32) -> UInt32? {
        var uid: UInt32 = 0
        guard exe_peer_uid(fd, &uid) == 0 else { return nil }
        return uid
    }

    /// Writes all of `bytes`; retries on `EINTR` and short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure("send")
            }
            offset += written
        }
    }

    /// Reads exactly `count` bytes; `nil` at a clean EOF before the first byte.
    public static func readExactly(_ fd: Int32, _ count: Int) throws(Failure) -> Data? {
        var data = Data(count: count)
        var offset = 0
        while offset < count {
            let received = data.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if received < 0 {
                if errno == EINTR { continue }
                throw Failure("recv")
            }
            if received == 0 {
                if offset == 0 { return nil }
                throw Failure("recv", ECONNRESET)
            }
            offset += received
        }
        return data
    }

    private static func socketDescriptor() throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        return fd
    }

    private static func address(for path: String) throws(Failure) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw Failure("socket path \(path)", ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        return address
    }
}
